/**
 * hotswap/plugin — versions delivered as files: the plugin contract (`definePlugin`,
 * `checkPluginExport`), the loader (`loadPlugin`) and the watched directory (`watchPlugins`).
 * A subpath of its own, so a server that loads no plugin never loads tsx or the watcher.
 *
 * @packageDocumentation
 */
export { definePlugin, PLUGIN_KIND } from './define.ts';
export type { Plugin, AnyPlugin, PluginDefinition } from './define.ts';
export { checkPluginExport } from './check.ts';
export type { PluginExportCheck } from './check.ts';
export { PluginRefusalCodes, pluginRefusal } from './refusal.ts';
export type { PluginRefusal, PluginRefusalCode, PluginError } from './refusal.ts';
export { loadPlugin, loadPluginOrThrow, extendLineage, PLUGIN_EXTENSIONS } from './load.ts';
export type { LoadPluginOptions, LoadPluginResult } from './load.ts';
export { watchPlugins } from './watch.ts';
export type { PluginEvent, PluginWatcher, WatchPluginsOptions } from './watch.ts';

/**
 * rtbench as a library: run a scenario from code, read and check results,
 * render reports, and evaluate gates - the same pieces the CLI is made of.
 *
 *   import { Orchestrator, loadScenario, applyGates } from 'rtbench';
 *   const result = await new Orchestrator(await loadScenario('smoke')).run();
 */
export { Orchestrator, type Progress, type RunOptions } from './harness/orchestrator.js';
export { BUILTIN_SCENARIOS, loadScenario } from './scenarios/builtin.js';
export { parseScenario, scenarioSchema, ScenarioError, type Scenario, type ScenarioInput } from './scenarios/schema.js';
export { TRANSPORTS, type TransportName } from './clients/registry.js';
export {
  parseRunResult,
  runResultSchema,
  RunResultError,
  RUN_SCHEMA_ID,
  type CapacityResult,
  type GateResult,
  type RunResult,
  type TransportResult,
} from './result/schema.js';
export { loadRunResult, RunFileError } from './result/load.js';
export { runResultJsonSchema } from './result/json-schema.js';
export { applyGates } from './gates/evaluate.js';
export { parseThreshold, parseThresholds, GateParseError, type Threshold } from './gates/parse.js';
export { compareRuns, type Comparison, type CompareOptions } from './gates/compare.js';
export { RENDERERS, REPORT_FORMATS, type ReportFormat } from './report/render.js';
export { modelTable, TALK_MODEL, type ModelOptions, type ModelTable } from './model/bandwidth-model.js';
export { PACKAGE_VERSION } from './util/package-version.js';
export type {
  Adapter,
  AdapterPublish,
  HttpPublishRequest,
  PollSubscriber,
  SocketIoSubscriber,
  SseSubscriber,
  WsSubscriber,
} from './adapter/types.js';
export { AdapterError, adapterSchema, adapterTransports, loadAdapter, parseAdapter, type LoadedAdapter } from './adapter/load.js';
export { findMarkers, markerText, type Marker } from './adapter/marker.js';
export { AgentPool, type AgentPoolOptions } from './agents/agent-pool.js';
export { Agent, type AgentOptions } from './agents/agent.js';
export { CoordinatorError } from './agents/redis-link.js';
export type { FleetLauncher } from './harness/fleet-launcher.js';
export type { AgentShare } from './result/schema.js';

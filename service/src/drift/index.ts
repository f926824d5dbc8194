/**
 * Drift detection for the inference service: reference profiles, the statistics (PSI, two-sample KS as
 * SciPy's ks_2samp, chi-square, Bonferroni / Benjamini–Hochberg), the DriftMonitor prediction sink and
 * DriftMonitors, which keeps one monitor per served model on the profile of the version serving.
 */
export type { FeatureResult, TestResult } from "./evaluate";
export { kolmogorovSf } from "./kolmogorov";
export { type KsResult, ks2samp } from "./ks";
export {
  DriftMonitor,
  type DriftMonitorOptions,
  type DriftStatus,
  type DriftStatusEvent,
  PREDICTION_FEATURE,
} from "./monitor";
export {
  type DriftLogger,
  DriftMonitors,
  type DriftMonitorsOptions,
  type ModelDriftStatus,
  type MonitoredEngine,
  type MonitoredStatus,
  type MonitorSettings,
  type UnmonitoredStatus,
} from "./monitors";
export {
  type DriftProfile,
  DriftProfileError,
  driftProfileSchema,
  loadProfile,
  parseProfile,
} from "./profile";
export { chi2Sf, gammaQ } from "./special";
export {
  adjust,
  benjaminiHochberg,
  bonferroni,
  type ChiSquareResult,
  type Correction,
  chisquare,
  PSI_EPSILON,
  psi,
} from "./stats";

import { type PlatformOptions, platformAddOnDefinitions } from "../config/loader";
import type { PlatformConfig } from "../config/schema";
import type { AddOn } from "../constructs/core/addon";
import { selectAddOns } from "../constructs/core/addon-definition";

/**
 * The add-ons a configuration asks for, created from the registry (the kit's add-ons, then `options.addOns`)
 * with their parsed sections; the contract orders them by their dependencies.
 */
export function platformAddOns(config: PlatformConfig, options: PlatformOptions = {}): AddOn<unknown>[] {
  const definitions = platformAddOnDefinitions(options);
  const registered = definitions.flatMap((d) => (d.config ? [d.config.key] : []));
  const parsed = Object.keys(config.addons);
  const extra = parsed.filter((k) => !registered.includes(k));
  const absent = registered.filter((k) => !parsed.includes(k));
  if (extra.length > 0 || absent.length > 0) {
    const what = [
      ...extra.map((k) => `addons.${k} was parsed but no add-on given here has that key`),
      ...absent.map((k) => `addons.${k} was not parsed`),
    ];
    throw new Error(
      `the configuration was parsed with other add-ons than the blueprint was given (${what.join("; ")}): pass the same \`addOns\` option to parsePlatformConfig (or loadPlatformConfig) and buildPlatform`,
    );
  }
  return selectAddOns(definitions, config).map((s) => s.addOn);
}

// The CBV 2.0 standard vocabularies EPCIS events use, and the three ways a value of each can be
// written: the bare term of JSON-LD ("shipping"), the GS1 Web URI CBV 2.0 made canonical
// ("https://ref.gs1.org/cbv/BizStep-shipping") and, for the vocabularies that had one, the
// CBV 1.x URN ("urn:epcglobal:cbv:bizstep:shipping").
//
// The term lists are the enums of the official EPCIS 2.0 JSON Schema (test/epcis/cbv.test.ts
// holds them equal), in the schema's order.

/** CBV 2.0 §7.1 Business Steps. */
export const BIZ_STEPS = [
  "accepting", "arriving", "assembling", "collecting", "commissioning", "consigning",
  "creating_class_instance", "cycle_counting", "decommissioning", "departing", "destroying",
  "disassembling", "dispensing", "encoding", "entering_exiting", "holding", "inspecting",
  "installing", "killing", "loading", "other", "packing", "picking", "receiving", "removing",
  "repackaging", "repairing", "replacing", "reserving", "retail_selling", "shipping",
  "staging_outbound", "stock_taking", "stocking", "storing", "transporting", "unloading",
  "unpacking", "void_shipping", "sensor_reporting", "sampling",
] as const;

/** CBV 2.0 §7.2 Dispositions. */
export const DISPOSITIONS = [
  "active", "container_closed", "damaged", "destroyed", "dispensed", "disposed", "encoded",
  "expired", "in_progress", "in_transit", "inactive", "no_pedigree_match", "non_sellable_other",
  "partially_dispensed", "recalled", "reserved", "retail_sold", "returned", "sellable_accessible",
  "sellable_not_accessible", "stolen", "unknown", "available", "completeness_verified",
  "completeness_inferred", "conformant", "container_open", "mismatch_instance", "mismatch_class",
  "mismatch_quantity", "needs_replacement", "non_conformant", "unavailable",
] as const;

/** CBV 2.0 §7.3 Business Transaction Types (the `type` of a bizTransactionList entry). */
export const BIZ_TRANSACTION_TYPES = [
  "bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder", "recadv", "rma", "testprd",
  "testres", "upevt",
] as const;

/** CBV 2.0 §7.4 Source/Destination Types (the `type` of a sourceList/destinationList entry). */
export const SOURCE_DESTINATION_TYPES = ["owning_party", "possessing_party", "location"] as const;

/** CBV 2.0 §7.5 Error Reason Identifiers (errorDeclaration.reason). */
export const ERROR_REASONS = ["did_not_occur", "incorrect_data"] as const;

/** CBV 2.0 sensor report components (sensorReport.component), new in 2.0: no URN form. */
export const SENSOR_COMPONENTS = [
  "x", "y", "z", "axial_distance", "azimuth", "height", "spherical_radius", "polar_angle",
  "elevation_angle", "easting", "northing", "latitude", "longitude", "altitude",
] as const;

/** sensorReport.type: measurement types of the GS1 Web Vocabulary (https://gs1.org/voc/). */
export const MEASUREMENT_TYPES = [
  "AbsoluteHumidity", "AbsorbedDose", "AbsorbedDoseRate", "Acceleration", "Radioactivity",
  "Altitude", "AmountOfSubstance", "AmountOfSubstancePerUnitVolume", "Angle",
  "AngularAcceleration", "AngularMomentum", "AngularVelocity", "Area", "Capacitance",
  "Conductance", "Conductivity", "Count", "Density", "Dimensionless", "DoseEquivalent",
  "DoseEquivalentRate", "DynamicViscosity", "ElectricCharge", "ElectricCurrent",
  "ElectricCurrentDensity", "ElectricFieldStrength", "Energy", "Exposure", "Force", "Frequency",
  "Illuminance", "Inductance", "Irradiance", "KinematicViscosity", "Length", "LinearMomentum",
  "Luminance", "LuminousFlux", "LuminousIntensity", "MagneticFlux", "MagneticFluxDensity",
  "MagneticVectorPotential", "Mass", "MassConcentration", "MassFlowRate", "MassPerAreaTime",
  "MemoryCapacity", "MolalityOfSolute", "MolarEnergy", "MolarMass", "MolarVolume", "Power",
  "Pressure", "RadiantFlux", "RadiantIntensity", "RelativeHumidity", "Resistance", "Resistivity",
  "SolidAngle", "SpecificVolume", "Speed", "SurfaceDensity", "SurfaceTension", "Temperature",
  "Time", "Torque", "Voltage", "Volume", "VolumeFlowRate", "VolumeFraction", "VolumetricFlux",
  "Wavenumber",
] as const;

/** sensorReport.exception: alert types of the GS1 Web Vocabulary. */
export const SENSOR_ALERT_TYPES = ["ALARM_CONDITION", "ERROR_CONDITION"] as const;

export type BizStep = (typeof BIZ_STEPS)[number];
export type Disposition = (typeof DISPOSITIONS)[number];

/** Where the terms of one vocabulary live as Web URIs, and (CBV 1.x) as URNs. */
export interface Vocabulary {
  readonly terms: ReadonlySet<string>;
  readonly webUriPrefix: string;
  readonly urnPrefix?: string;
}

const CBV_WEB = "https://ref.gs1.org/cbv/";
const GS1_VOC = "https://gs1.org/voc/";

const vocabulary = (terms: readonly string[], webUriPrefix: string, urnPrefix?: string): Vocabulary =>
  Object.freeze({ terms: new Set(terms), webUriPrefix, ...(urnPrefix ? { urnPrefix } : {}) });

/** The vocabularies by the EPCIS field whose values they are. */
export const VOCABULARIES = Object.freeze({
  bizStep: vocabulary(BIZ_STEPS, `${CBV_WEB}BizStep-`, "urn:epcglobal:cbv:bizstep:"),
  disposition: vocabulary(DISPOSITIONS, `${CBV_WEB}Disp-`, "urn:epcglobal:cbv:disp:"),
  bizTransactionType: vocabulary(BIZ_TRANSACTION_TYPES, `${CBV_WEB}BTT-`, "urn:epcglobal:cbv:btt:"),
  sourceDestinationType: vocabulary(SOURCE_DESTINATION_TYPES, `${CBV_WEB}SDT-`, "urn:epcglobal:cbv:sdt:"),
  errorReason: vocabulary(ERROR_REASONS, `${CBV_WEB}ER-`, "urn:epcglobal:cbv:er:"),
  sensorComponent: vocabulary(SENSOR_COMPONENTS, `${CBV_WEB}Comp-`),
  measurementType: vocabulary(MEASUREMENT_TYPES, GS1_VOC),
  sensorAlertType: vocabulary(SENSOR_ALERT_TYPES, GS1_VOC),
});

export type VocabularyName = keyof typeof VOCABULARIES;

const LEGACY_URN_VOCABULARIES = Object.values(VOCABULARIES).filter((v) => v.urnPrefix !== undefined);

/**
 * The bare term of a standard value in any of its three forms, or undefined when the value is
 * not a term of this vocabulary (a user-defined URI, or a misspelling).
 */
export function cbvTerm(name: VocabularyName, value: string): string | undefined {
  const { terms, webUriPrefix, urnPrefix } = VOCABULARIES[name];
  let term = value;
  if (value.startsWith(webUriPrefix)) term = value.slice(webUriPrefix.length);
  else if (urnPrefix !== undefined && value.startsWith(urnPrefix)) term = value.slice(urnPrefix.length);
  return terms.has(term) ? term : undefined;
}

/**
 * A standard value in its canonical Web URI form (in CBV 2.0 the bare term, the Web URI and the
 * CBV 1.x URN name the same term); any other value, a user vocabulary URI for instance, unchanged.
 */
export function cbvWebUri(name: VocabularyName, value: string): string {
  const term = cbvTerm(name, value);
  return term === undefined ? value : VOCABULARIES[name].webUriPrefix + term;
}

/**
 * A CBV 1.x URN of any standard vocabulary (`urn:epcglobal:cbv:bizstep:…`, `…:disp:…`,
 * `…:btt:…`, `…:sdt:…`, `…:er:…`) rewritten as its Web URI; anything else unchanged.
 * The event hash applies this to every value, whatever field it sits in.
 */
export function legacyCbvUrnToWebUri(value: string): string {
  if (!value.startsWith("urn:epcglobal:cbv:")) return value;
  for (const { urnPrefix, webUriPrefix } of LEGACY_URN_VOCABULARIES) {
    if (value.startsWith(urnPrefix!)) return webUriPrefix + value.slice(urnPrefix!.length);
  }
  return value;
}

export const isBizStep = (value: string): value is BizStep => VOCABULARIES.bizStep.terms.has(value);
export const isDisposition = (value: string): value is Disposition => VOCABULARIES.disposition.terms.has(value);

// The GS1 reference data kept beside the repository (../shared/gs1/, see its README.md): the
// published vectors and examples the EPCIS and Digital Link code is checked against.
import { readFileSync, readdirSync } from "node:fs";

export const SHARED_GS1 = new URL("../../../shared/gs1/", import.meta.url);

export const sharedGs1File = (path: string) => new URL(path, SHARED_GS1);

export const readSharedGs1 = (path: string) => readFileSync(sharedGs1File(path), "utf8");

export const readSharedGs1Json = (path: string) => JSON.parse(readSharedGs1(path)) as unknown;

export const listSharedGs1 = (folder: string) => readdirSync(sharedGs1File(`${folder}/`)).sort();

/** @module scripts/check-layers (types for the unit test that runs the layer check on a temp tree) */
export interface FoundImport {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly dynamic: boolean;
  readonly line: number;
}
export function importsOf(file: string, text?: string): FoundImport[];
export function checkLayers(root: string): string[];

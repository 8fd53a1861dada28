/**
 * @module test/helpers/agent-fixtures
 * A factory DevicePreconfiguration file, as `mesh factory preconfig` writes it, built with
 * the core library so the agent tests do not depend on the factory tool.
 */
import { seededRandom } from '../../src/crypto/random.js';
import { createDevicePreconfiguration } from '../../src/mesh/connect/device-preconfiguration.js';
import { DevicePreconfigurationSchema } from '../../src/mesh/objects/device-preconfiguration.js';
import { KeySpecifier, newDerivedKeySeedUdf } from '../../src/mesh/udf/derived-key-seed.js';

let counter = 0;

export function factoryFileText(
  maker = 'maker@example.com',
  seed = newDerivedKeySeedUdf(
    KeySpecifier.MeshProfileDevice,
    seededRandom((Date.now() + ++counter * 7919) & 0x7fffffff),
  ),
) {
  const made = createDevicePreconfiguration({ deviceSeed: seed, makerAccount: maker, description: 'Thermostat' });
  return {
    seed,
    made,
    text: JSON.stringify(
      { DevicePreconfiguration: DevicePreconfigurationSchema.toJson(made.preconfiguration) },
      null,
      2,
    ),
  };
}

import * as assert from 'assert';
import * as path from 'path';
import * as fs from 'fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { estimate } from '../../src/core/estimate';
import { ARCHES } from '../../src/core/config/arch';
import { parseDotConfig } from '../../src/core/config/kconfig';
import { estimateToSarif } from '../../src/core/report/estimateSarif';

const root = path.join(__dirname, '..', '..', '..', 'samples', 'kernel');
const schemaFile = path.join(__dirname, '..', '..', '..', 'test', 'schemas', 'sarif-2.1.0.json');

describe('SARIF output', function () {
  this.timeout(60000);
  it('is valid against the SARIF 2.1.0 schema and reports the module that cannot load', async () => {
    const cfg = path.join(root, '.config');
    const r = await estimate({ root, arch: ARCHES.x86_64, config: parseDotConfig(fs.readFileSync(cfg, 'utf8'), cfg), cpus: 4 });
    const log = estimateToSarif(r);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')));
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 3)));
    const r7 = log.runs[0].results!.filter((x) => x.ruleId === 'PCPU007');
    assert.strictEqual(r7.length, 1);
    assert.match(r7[0].message.text!, /bigstats/);
    // a broken document must fail, or this test proves nothing
    assert.ok(!validate({ version: '2.1.0', runs: [{ tool: {} }] }));
  });
});

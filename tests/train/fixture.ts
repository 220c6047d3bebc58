/** The setting of the training tests: the js backend (restored after), a temporary folder, 100 digits. */
import { afterAll, beforeAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendInfo, data, setBackend } from '../../src/index.js';

export interface TrainingFixture {
  /** A temporary folder, removed after the file's tests. */
  root: string;
  /** 10 training digits of each class. */
  digits: data.Dataset;
}

/** Registers the file's beforeAll/afterAll; the fields are filled once beforeAll has run. */
export function trainingFixture(prefix: string): TrainingFixture {
  const fixture = {} as TrainingFixture;
  let previousBackend = '';
  beforeAll(async () => {
    previousBackend = backendInfo().name;
    setBackend('js');
    fixture.root = mkdtempSync(join(tmpdir(), prefix));
    fixture.digits = data.balancedSubset(await data.mnist({ split: 'train' }), 10);
  });
  afterAll(() => {
    setBackend(previousBackend);
    rmSync(fixture.root, { recursive: true, force: true });
  });
  return fixture;
}

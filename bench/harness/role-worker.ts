// Worker entry of the benchmark harness: opens the implementation's client and runs one role.
import { parentPort, workerData } from 'node:worker_threads';
import type { PhaseShared } from './shared-state';
import { createClient } from '../peers';
import type { ImplName, Role } from '../peers/types';
import type { RoleOptions, RoleResult } from './roles/common';
import { runChurner } from './roles/churner';
import { runReader } from './roles/reader';
import { runWriter } from './roles/writer';

export interface RoleWorkerData {
  impl: ImplName;
  descriptor: unknown;
  role: Role;
  participant: number;
  readers: number;
  shared: PhaseShared;
  options: RoleOptions;
}

async function run(data: RoleWorkerData): Promise<RoleResult> {
  const { impl, descriptor, role, participant, readers, shared, options } = data;
  const client = createClient(impl, descriptor, { shared, participant, readers, role });
  switch (role) {
    case 'reader':
      return runReader(client, shared, participant, options);
    case 'updater':
    case 'deleter':
      return runWriter(role, client, shared, participant, options);
    case 'churner':
      return runChurner(client, shared, participant, options);
  }
}

run(workerData as RoleWorkerData).then(
  (result) => parentPort!.postMessage(result),
  (error: unknown) => {
    throw error;
  }
);

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@b24app/testing';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// The Kubernetes JSON schemas ship inside kubernetes-models (offline); each model's validate() checks one.
const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  'apps/v1 Deployment': Deployment,
  'v1 Service': Service,
  'v1 ConfigMap': ConfigMap,
  'v1 Secret': Secret,
  'autoscaling/v2 HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'batch/v1 Job': Job,
  'policy/v1 PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1 NetworkPolicy': NetworkPolicy,
};

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}
interface Container {
  name: string;
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  securityContext?: {
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
}

const dir = join(REPO_ROOT, 'infra/k8s');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const manifests: (Manifest & { file: string })[] = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => ({ ...(d.toJS() as Manifest), file })),
);
const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
const podOf = (m: Manifest | undefined) => (m?.spec as { template: { spec: PodSpec } } | undefined)?.template.spec;

describe('Kubernetes manifests (infra/k8s)', () => {
  it('every document passes the Kubernetes schema of its kind', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(10);
    for (const m of manifests) {
      const Model = MODELS[`${m.apiVersion} ${m.kind}`];
      expect(Model, `${m.file}: ${m.apiVersion} ${m.kind} has no schema here`).toBeDefined();
      expect(() => new Model!(m as never).validate(), `${m.file} ${m.kind}/${m.metadata.name}`).not.toThrow();
    }
  });

  it('the validator is not a rubber stamp: a wrong type and a missing port are refused', () => {
    const server = structuredClone(find('Deployment', 'b24app-server')!) as unknown as Manifest & {
      spec: { replicas: unknown };
    };
    server.spec.replicas = 'two';
    expect(() => new Deployment(server as never).validate()).toThrow(/replicas/);
    const noPort = structuredClone(find('Deployment', 'b24app-server')!);
    delete (podOf(noPort)!.containers[0]!.readinessProbe!.httpGet as { port?: unknown }).port;
    expect(() => new Deployment(noPort as never).validate()).toThrow(/port/);
  });

  it('has the server Deployment, Service and HPA, the worker Deployment, the migration Job, PDBs and NetworkPolicies', () => {
    expect(find('Deployment', 'b24app-server')).toBeDefined();
    expect(find('Service', 'b24app-server')).toBeDefined();
    const hpa = find('HorizontalPodAutoscaler', 'b24app-server')?.spec as
      | { scaleTargetRef: { name: string } }
      | undefined;
    expect(hpa?.scaleTargetRef.name).toBe('b24app-server');
    expect(find('Deployment', 'b24app-worker')).toBeDefined();
    expect(find('Job', 'b24app-migrate')).toBeDefined();
    expect(find('PodDisruptionBudget', 'b24app-server')).toBeDefined();
    expect(find('PodDisruptionBudget', 'b24app-worker')).toBeDefined();
    expect(manifests.filter((m) => m.kind === 'NetworkPolicy').length).toBeGreaterThanOrEqual(3);
    const deny = find('NetworkPolicy', 'b24app-default-deny')?.spec as { policyTypes: string[]; ingress?: unknown };
    expect(deny.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
    expect(deny.ingress).toBeUndefined();
  });

  it('probes /healthz and /readyz, requests resources, runs non-root on a read-only root filesystem', () => {
    for (const name of ['b24app-server', 'b24app-worker']) {
      const c = podOf(find('Deployment', name))!.containers[0]!;
      expect(c.livenessProbe?.httpGet?.path, name).toBe('/healthz');
      expect(c.readinessProbe?.httpGet?.path, name).toBe('/readyz');
    }
    for (const m of manifests.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      const pod = podOf(m)!;
      expect(pod.securityContext?.runAsNonRoot, m.metadata.name).toBe(true);
      for (const c of pod.containers) {
        expect(c.resources?.requests?.cpu, c.name).toBeDefined();
        expect(c.resources?.requests?.memory, c.name).toBeDefined();
        expect(c.securityContext?.readOnlyRootFilesystem, c.name).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, c.name).toBe(false);
        expect(c.securityContext?.capabilities?.drop, c.name).toEqual(['ALL']);
      }
    }
  });

  it('takes TOKEN_ENCRYPTION_KEY and the OAuth credentials from the Secret, never from the ConfigMap', () => {
    const secret = find('Secret', 'b24app-secrets')!;
    for (const key of [
      'TOKEN_ENCRYPTION_KEY',
      'B24_CLIENT_ID',
      'B24_CLIENT_SECRET',
      'API_TOKEN',
      'METRICS_TOKEN',
      'DATABASE_URL',
    ]) {
      expect(Object.keys(secret.stringData ?? {}), key).toContain(key);
      expect(Object.keys(find('ConfigMap', 'b24app-config')?.data ?? {}), key).not.toContain(key);
    }
    for (const name of ['b24app-server', 'b24app-worker']) {
      const c = podOf(find('Deployment', name))!.containers[0]!;
      expect(c.envFrom?.map((e) => e.secretRef?.name).filter(Boolean), name).toEqual(['b24app-secrets']);
    }
    // Every secret key a container names exists in the Secret.
    for (const m of manifests.filter((x) => x.kind === 'Deployment' || x.kind === 'Job')) {
      for (const c of podOf(m)!.containers) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) expect(Object.keys(secret.stringData ?? {}), `${m.metadata.name} ${e.name}`).toContain(ref.key);
        }
      }
    }
    // The Secret template is not applied by kustomize (it would overwrite the real one).
    expect(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).not.toContain('secret');
  });
});

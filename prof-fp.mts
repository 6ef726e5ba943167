import { generatePlan } from './bench/plan-comment.ts';
import { planFingerprintAsync } from './src/terraform/fingerprint.ts';
const text = JSON.stringify(generatePlan(10_000));
const plans = Array.from({ length: 8 }, () => JSON.parse(text));
const s = performance.now();
for (const p of plans) await planFingerprintAsync(p);
console.log('per fingerprint', ((performance.now() - s) / 8).toFixed(0));

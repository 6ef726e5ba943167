#!/usr/bin/env node
// Generates the reference part of every Terraform module's and stack's README.md, between
// <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->: requirements (terraform, providers from versions.tf), the
// modules it calls, its resources and data sources, its inputs and its outputs, read from the .tf files
// with @cdktf/hcl2json (Terraform's own HCL parser).
//
//   node scripts/terraform-docs.mjs [dir]          # write (dir defaults to templates/terraform)
//   node scripts/terraform-docs.mjs --check [dir]  # exit 1 naming each README that is not up to date
//
// scripts/docs.mjs calls generateTerraformDocs() in both of its modes. A README under modules/ without the
// markers is an error; a directory without a README.md is left alone (the conventions check asks for one).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const hcl2json = require('@cdktf/hcl2json');

export const BEGIN = '<!-- BEGIN_TF_DOCS -->';
export const END = '<!-- END_TF_DOCS -->';

const repository = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toPosix = (path) => path.split(sep).join('/');

function terraformDirectories(root) {
  const found = [];
  const walk = (dir) => {
    const entries = readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.tf'))) found.push(dir);
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) walk(join(dir, entry.name));
    }
  };
  walk(root);
  return found.sort();
}

const bodies = (value) => (Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : []);

/** Every labelled block of a kind: `resource` → [{ type, name, body }], `variable` → [{ name, body }]. */
function labelled(parsed, kind, depth) {
  const out = [];
  const walk = (node, labels) => {
    if (labels.length === depth) {
      for (const body of bodies(node)) {
        out.push({ type: depth === 2 ? labels[0] : undefined, name: labels[labels.length - 1], body });
      }
      return;
    }
    for (const [label, child] of Object.entries(node ?? {})) walk(child, [...labels, label]);
  };
  walk(parsed[kind], []);
  return out;
}

async function loadModule(dir) {
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.tf'))
    .sort();
  const merged = {
    resources: [],
    data: [],
    modules: [],
    variables: [],
    outputs: [],
    terraform: [],
  };
  for (const name of files) {
    const path = join(dir, name);
    let parsed;
    try {
      parsed = await hcl2json.parse(name, readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path} does not parse: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    merged.resources.push(...labelled(parsed, 'resource', 2));
    merged.data.push(...labelled(parsed, 'data', 2));
    merged.modules.push(...labelled(parsed, 'module', 1));
    merged.variables.push(...labelled(parsed, 'variable', 1));
    merged.outputs.push(...labelled(parsed, 'output', 1));
    merged.terraform.push(...bodies(parsed.terraform));
  }
  return merged;
}

/** `${map(string)}` → `map(string)`, on one line. */
function expression(value) {
  if (typeof value !== 'string') return JSON.stringify(value);
  const match = /^\$\{([\s\S]*)\}$/.exec(value);
  return (match ? match[1] : value).replace(/\s+/g, ' ').trim();
}

function cell(text) {
  return String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

function code(text) {
  const value = cell(text);
  if (value === '') return '';
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

function table(header, rows, empty) {
  if (rows.length === 0) return empty;
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const compare = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a, b) => compare(a.name, b.name) || compare(String(a.type), String(b.type));

const plural = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The generated Markdown of one module or stack (without the markers). */
export function renderModuleDocs(module) {
  const requirements = [];
  for (const terraform of module.terraform) {
    if (terraform.required_version !== undefined) {
      requirements.push(['terraform', code(terraform.required_version)]);
    }
  }
  for (const terraform of module.terraform) {
    for (const providers of bodies(terraform.required_providers)) {
      for (const [name, spec] of Object.entries(providers).sort(([a], [b]) => compare(a, b))) {
        const source = spec && typeof spec === 'object' ? spec.source : undefined;
        const version = spec && typeof spec === 'object' ? spec.version : spec;
        requirements.push([`${name}${source ? ` (${source})` : ''}`, code(version ?? 'any')]);
      }
    }
  }
  const modules = [...module.modules]
    .sort(byName)
    .map((m) => [
      `\`${m.name}\``,
      code(m.body.source),
      m.body.count ? 'count' : m.body.for_each ? 'for_each' : '',
    ]);
  const repeated = (body) =>
    body.count !== undefined ? 'count' : body.for_each !== undefined ? 'for_each' : '';
  const resources = [
    ...[...module.resources]
      .sort(byName)
      .map((r) => [`\`${r.type}.${r.name}\``, 'resource', repeated(r.body)]),
    ...[...module.data]
      .sort(byName)
      .map((d) => [`\`data.${d.type}.${d.name}\``, 'data source', repeated(d.body)]),
  ].sort((a, b) => compare(a[0], b[0]));
  const inputs = [...module.variables].sort(byName).map((v) => {
    const hasDefault = 'default' in v.body;
    return [
      `\`${v.name}\`${v.body.sensitive === true ? ' (sensitive)' : ''}`,
      cell(v.body.description),
      code(v.body.type === undefined ? 'any' : expression(v.body.type)),
      hasDefault ? code(JSON.stringify(v.body.default)) : '',
      hasDefault ? 'no' : 'yes',
    ];
  });
  const outputs = [...module.outputs]
    .sort(byName)
    .map((o) => [
      `\`${o.name}\`${o.body.sensitive === true ? ' (sensitive)' : ''}`,
      cell(o.body.description),
    ]);
  return [
    '## Requirements',
    '',
    table(['Name', 'Version'], requirements, 'No requirements.'),
    '',
    '## Modules',
    '',
    table(['Name', 'Source', 'Repeated'], modules, 'No modules.'),
    '',
    `## Resources (${plural(module.resources.length, 'resource')}, ${plural(module.data.length, 'data source')})`,
    '',
    table(['Address', 'Kind', 'Repeated'], resources, 'No resources.'),
    '',
    '## Inputs',
    '',
    table(['Name', 'Description', 'Type', 'Default', 'Required'], inputs, 'No inputs.'),
    '',
    '## Outputs',
    '',
    table(['Name', 'Description'], outputs, 'No outputs.'),
  ].join('\n');
}

/** The README text with the generated part replaced, or an error message when it has no (well-ordered) markers. */
export function replaceDocs(readme, docs) {
  const i = readme.indexOf(BEGIN);
  const j = readme.indexOf(END);
  if (i < 0 || j < i) return undefined;
  return `${readme.slice(0, i + BEGIN.length)}\n${docs}\n${readme.slice(j)}`;
}

/**
 * Regenerates (or, with check, compares) the docs of every Terraform directory under root that has a README.md.
 * Returns the READMEs that are stale (check) or were rewritten (write), relative to `base`; throws naming every
 * module README without markers.
 */
export async function generateTerraformDocs({ root, check = false, base = repository }) {
  const changed = [];
  const errors = [];
  if (!existsSync(root)) return { changed, checked: [] };
  const checked = [];
  for (const dir of terraformDirectories(root)) {
    const readmePath = join(dir, 'README.md');
    if (!existsSync(readmePath)) continue;
    const shown = toPosix(relative(base, readmePath));
    const readme = readFileSync(readmePath, 'utf8');
    const inModules = toPosix(relative(root, dir)).startsWith('modules/');
    if (readme.indexOf(BEGIN) < 0 || readme.indexOf(END) < readme.indexOf(BEGIN)) {
      if (inModules) errors.push(`${shown} has no ${BEGIN} ... ${END} block`);
      continue;
    }
    const updated = replaceDocs(readme, renderModuleDocs(await loadModule(dir)));
    checked.push(shown);
    if (updated === readme) continue;
    changed.push(shown);
    if (!check) writeFileSync(readmePath, updated);
  }
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return { changed, checked };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const dirs = args.filter((a) => !a.startsWith('--'));
  const root = resolve(dirs[0] ?? join(repository, 'templates/terraform'));
  try {
    const { changed, checked } = await generateTerraformDocs({ root, check, base: process.cwd() });
    if (check && changed.length > 0) {
      console.error(
        `Terraform docs are out of date: ${changed.join(', ')}. Run \`node scripts/terraform-docs.mjs\` and commit.`,
      );
      process.exitCode = 1;
    } else if (check) {
      console.log(`Terraform docs are up to date (${checked.length} READMEs).`);
    } else {
      console.log(changed.length > 0 ? `Wrote ${changed.join(', ')}` : `Terraform docs already up to date.`);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}

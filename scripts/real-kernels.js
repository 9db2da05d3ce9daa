#!/usr/bin/env node
// Truth harness: compares our estimate of linux-source-6.12 with Debian's shipped 6.12 kernels.
// For each flavour it fetches (once, into --dl, default /work/dl) the linux-image package and its
// -dbg package with apt-get download, keeps boot/config-*, boot/vmlinuz-*, the per-CPU symbols of
// the -dbg vmlinux (readelf -sW, between __per_cpu_start and __per_cpu_end) and each module's
// .data..percpu size (readelf -SW on the decompressed .ko.xz), then runs
// `dist/cli.js estimate TREE --config <config> --json` and prints the differences.
// A report, run by hand (npm run realkernels -- amd64 arm64 ...), never by npm test. An argument
// that is a build folder (O=DIR: .config + vmlinux, any *.ko) is compared the same way.
// Options: --tree DIR, --dl DIR, --cpus N, --all (no list limits), --table (README rows),
//          --json-dir DIR (keep each estimate's JSON), --fetch-only, --compiled (estimate with
//          --cross-compile auto: Debian's cross gcc of the flavour's arch, the objects' real order).
//          --no-result-cache (every stage run again).
// A featureset flavour (rt-amd64) is compared with the tree Debian built it from: a hardlinked copy
// of --tree under --dl with Debian's debian/patches-rt series applied (the newest debian.tar.xz of
// linux-6.12 the archive's pool still serves; patch replaces files, the original tree is untouched).
'use strict';
const { execFileSync, execSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { argv } = require('./lib/argv');

const VERSION = '6.12.118+deb12';
// the packages' Debian version and where bookworm-security keeps them
const DEB_VERSION = '6.12.118-1~deb12u1';
const POOL = 'http://deb.debian.org/debian-security/pool/updates/main/l/linux-6.12';
// flavour → Debian architecture and whether the image package is split into -unsigned
const FLAVOURS = {
  amd64: { deb: 'amd64', unsigned: true },
  'cloud-amd64': { deb: 'amd64', unsigned: true },
  'rt-amd64': { deb: 'amd64', unsigned: true, featureset: 'rt' },
  arm64: { deb: 'arm64', unsigned: true },
  'arm64-16k': { deb: 'arm64', unsigned: true },
  powerpc64le: { deb: 'ppc64el', unsigned: false },
  'powerpc64le-64k': { deb: 'ppc64el', unsigned: false },
  armmp: { deb: 'armhf', unsigned: false },
  'armmp-lpae': { deb: 'armhf', unsigned: false },
};

const { values: v, positionals } = argv({
  allowPositionals: true,
  options: {
    tree: { type: 'string', default: '/work/kernel/linux-source-6.12' }, dl: { type: 'string', default: '/work/dl' },
    cpus: { type: 'string' }, 'json-dir': { type: 'string' }, all: { type: 'boolean' }, table: { type: 'boolean' }, 'fetch-only': { type: 'boolean' },
    compiled: { type: 'boolean' }, 'no-result-cache': { type: 'boolean' },
  },
});
const baseTree = path.resolve(v.tree);
const treeGiven = process.argv.slice(2).some((a) => a === '--tree' || a.startsWith('--tree='));
const dl = path.resolve(v.dl);
const cpus = v.cpus;
const jsonDir = v['json-dir'];
const all = v.all === true;
const table = v.table === true;
const fetchOnly = v['fetch-only'] === true;
const args = positionals;
const flavours = args.length ? args : Object.keys(FLAVOURS);

const sh = (cmd, o = {}) => execSync(cmd, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'], ...o });
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const log = (m) => process.stderr.write(`real-kernels: ${m}\n`);

/** apt-get download PKG:ARCH into dl/debs unless a matching .deb is there already */
function download(pkg, debArch) {
  const dir = path.join(dl, 'debs');
  fs.mkdirSync(dir, { recursive: true });
  const have = fs.readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(`_${debArch}.deb`));
  if (have) return path.join(dir, have);
  log(`apt-get download ${pkg}:${debArch}`);
  try {
    sh(`apt-get download ${q(`${pkg}:${debArch}`)} 2>&1`, { cwd: dir });
  } catch (e) {
    // apt's index of a foreign arch can be missing (a mirror mid-sync fails bookworm-security's
    // armhf and ppc64el lists): the same file straight from the archive's pool
    const file = `${pkg}_${DEB_VERSION}_${debArch}.deb`;
    log(`apt-get download failed (${String(e.message).split('\n')[0]}); fetching ${file} from ${POOL}`);
    sh(`curl -fsS -o ${q(`${file}.part`)} ${q(`${POOL}/${encodeURIComponent(file).replace(/~/g, '%7E')}`)} && mv ${q(`${file}.part`)} ${q(file)}`, { cwd: dir });
  }
  const got = fs.readdirSync(dir).find((f) => f.startsWith(`${pkg}_`) && f.endsWith(`_${debArch}.deb`));
  if (!got) throw new Error(`apt-get download ${pkg}:${debArch} left no .deb (dpkg --add-architecture ${debArch}; apt-get update?)`);
  return path.join(dir, got);
}

/** per-CPU symbols of a vmlinux: name → {offset, size}; and the area's size */
function percpuSymbols(vmlinux) {
  const text = sh(`readelf -sW ${q(vmlinux)}`);
  const rows = [];
  let start;
  let end;
  for (const l of text.split('\n')) {
    const p = l.trim().split(/\s+/);
    if (p.length < 8 || !/^\d+:$/.test(p[0])) continue;
    const addr = BigInt(`0x${p[1]}`);
    if (p[7] === '__per_cpu_start') start = addr;
    if (p[7] === '__per_cpu_end') end = addr;
    if (p[3] === 'OBJECT' || p[3] === 'NOTYPE') rows.push({ addr, size: Number(p[2]), name: p[7], type: p[3], bind: p[4] });
  }
  if (start === undefined || end === undefined) throw new Error(`${vmlinux}: no __per_cpu_start/__per_cpu_end`);
  const syms = {};
  for (const r of rows) {
    if (r.addr < start || r.addr >= end || r.type !== 'OBJECT') continue;
    // a static symbol may repeat (one per file): keep every copy under name#n
    let k = r.name;
    for (let n = 2; syms[k]; n++) k = `${r.name}#${n}`;
    syms[k] = { offset: Number(r.addr - start), size: r.size, bind: r.bind };
  }
  return { size: Number(end - start), syms };
}

/** a .ko's .data..percpu: size and alignment (readelf -SW columns Size ... Al) */
function percpuSection(ko) {
  const m = /\]\s+\.data\.\.percpu\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+\S*\s+\d+\s+\d+\s+(\d+)/.exec(sh(`readelf -SW ${q(ko)}`));
  return m ? { size: parseInt(m[1], 16), align: Number(m[2]) } : undefined;
}

/** .data..percpu size of every module in an image .deb that has the section */
function moduleSections(imageDeb, work) {
  sh(`dpkg --fsys-tarfile ${q(imageDeb)} | tar -x -C ${q(work)} --wildcards '*.ko*'`);
  const out = {};
  const kos = sh(`find ${q(work)} -name '*.ko.xz' -o -name '*.ko'`).split('\n').filter(Boolean);
  for (const ko of kos) {
    let file = ko;
    if (ko.endsWith('.xz')) {
      sh(`xz -d -f ${q(ko)}`);
      file = ko.slice(0, -3);
    }
    const m = percpuSection(file);
    if (m) out[path.basename(file, '.ko')] = { ...m, path: file.slice(file.indexOf('/kernel/') + 1) };
    fs.rmSync(file);
  }
  return out;
}

/** fetch once: dl/real/FLAVOUR/{config, vmlinuz, percpu-syms.json, modules.json} */
function fetch(flavour) {
  if (fs.existsSync(path.join(flavour, 'vmlinux')) && fs.existsSync(path.join(flavour, '.config'))) return localBuild(flavour);
  const f = FLAVOURS[flavour];
  if (!f) throw new Error(`unknown flavour ${flavour}; known: ${Object.keys(FLAVOURS).join(' ')}`);
  const dir = path.join(dl, 'real', flavour);
  fs.mkdirSync(dir, { recursive: true });
  const img = `linux-image-${VERSION}-${flavour}${f.unsigned ? '-unsigned' : ''}`;
  const cfgFile = path.join(dir, 'config');
  const modFile = path.join(dir, 'modules.json');
  if (!fs.existsSync(cfgFile) || !fs.existsSync(modFile) || !fs.existsSync(path.join(dir, 'vmlinuz'))) {
    const deb = download(img, f.deb);
    const work = fs.mkdtempSync(path.join(dl, 'real', `.${flavour}-`));
    try {
      sh(`dpkg --fsys-tarfile ${q(deb)} | tar -x -C ${q(work)} --wildcards './boot/*'`);
      const boot = path.join(work, 'boot');
      const pick = (pre) => fs.readdirSync(boot).find((n) => n.startsWith(pre));
      fs.copyFileSync(path.join(boot, pick('config-')), cfgFile);
      fs.copyFileSync(path.join(boot, pick('vmlinuz-') ?? pick('vmlinux-')), path.join(dir, 'vmlinuz'));
      log(`${flavour}: reading modules' .data..percpu`);
      fs.writeFileSync(modFile, JSON.stringify(moduleSections(deb, work), null, 1));
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const symFile = path.join(dir, 'percpu-syms.json');
  if (!fs.existsSync(symFile)) {
    const vmlinux = path.join(dir, 'vmlinux');
    if (!fs.existsSync(vmlinux)) {
      const dbg = download(`linux-image-${VERSION}-${flavour}-dbg`, f.deb);
      log(`${flavour}: extracting vmlinux from ${path.basename(dbg)}`);
      const work = fs.mkdtempSync(path.join(dl, 'real', `.${flavour}-dbg-`));
      try {
        sh(`dpkg --fsys-tarfile ${q(dbg)} | tar -x -C ${q(work)} --wildcards '*/boot/vmlinux-*'`);
        const found = sh(`find ${q(work)} -name 'vmlinux-*'`).trim().split('\n')[0];
        fs.renameSync(found, vmlinux);
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    }
    fs.writeFileSync(symFile, JSON.stringify(percpuSymbols(vmlinux)));
  }
  return { dir, config: cfgFile, syms: JSON.parse(fs.readFileSync(symFile, 'utf8')), modules: JSON.parse(fs.readFileSync(modFile, 'utf8')) };
}

/** a kernel built here (O=DIR): its .config, vmlinux and any .ko files under DIR */
function localBuild(dir) {
  const modules = {};
  for (const ko of sh(`find ${q(dir)} -name '*.ko'`).split('\n').filter(Boolean)) {
    const m = percpuSection(ko);
    if (m) modules[path.basename(ko, '.ko')] = { ...m, path: path.relative(dir, ko) };
  }
  return { dir, config: path.join(dir, '.config'), syms: percpuSymbols(path.join(dir, 'vmlinux')), modules };
}

// the source package's index of the suite POOL belongs to
const SOURCES_INDEX = 'http://deb.debian.org/debian-security/dists/bookworm-security/main/source/Sources.xz';

/** the newest debian/ folder of linux-6.12 the pool serves (its Sources index lists versions whose files are gone) */
function debianFolder() {
  const dir = path.join(dl, 'debian-src');
  const done = fs.existsSync(dir) && fs.readdirSync(dir).find((n) => n.startsWith('linux-6.12_') && fs.existsSync(path.join(dir, n, 'debian', 'patches-rt', 'series')));
  if (done) return { dir: path.join(dir, done), version: done.slice('linux-6.12_'.length) };
  fs.mkdirSync(dir, { recursive: true });
  const idx = sh(`curl -fsS ${q(SOURCES_INDEX)} | xz -d`);
  const versions = [...idx.matchAll(/^Package: linux-6\.12\n(?:.+\n)*?Version: (\S+)/gm)].map((m) => m[1]).reverse();
  for (const ver of versions) {
    const file = `linux-6.12_${ver}.debian.tar.xz`;
    try {
      sh(`curl -fsS -o ${q(file)} ${q(`${POOL}/${file.replace(/~/g, '%7E')}`)} 2>&1`, { cwd: dir });
    } catch {
      log(`${file}: not in the pool any more`);
      continue;
    }
    const out = path.join(dir, `linux-6.12_${ver}`);
    fs.mkdirSync(out, { recursive: true });
    sh(`tar -xf ${q(file)} -C ${q(out)} debian/patches-rt`, { cwd: dir });
    fs.rmSync(path.join(dir, file));
    return { dir: out, version: ver };
  }
  throw new Error('no debian.tar.xz of linux-6.12 could be fetched');
}

/** TREE with Debian's FEATURESET patch series applied, in a hardlinked copy under dl/trees */
function featureTree(featureset) {
  const out = path.join(dl, 'trees', `${path.basename(baseTree)}-${featureset}`);
  const stamp = path.join(out, '.percpu-lens-featureset');
  if (fs.existsSync(stamp)) return { dir: out, note: fs.readFileSync(stamp, 'utf8').trim() };
  const src = debianFolder();
  const patches = path.join(src.dir, 'debian', `patches-${featureset}`);
  log(`${featureset}: applying ${patches}/series (Debian ${src.version}) to a copy of ${baseTree}`);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  sh(`cp -al ${q(baseTree)} ${q(out)}`);
  const skipped = [];
  let applied = 0;
  for (const p of fs.readFileSync(path.join(patches, 'series'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))) {
    const file = q(path.join(patches, p));
    try {
      // all hunks or none: a patch the tree's own version already carries (in part) is skipped
      sh(`patch -p1 -N -s --dry-run < ${file} >/dev/null 2>&1 && patch -p1 -N -s < ${file}`, { cwd: out });
      applied++;
    } catch {
      skipped.push(p);
    }
  }
  const note = `Debian ${src.version} patches-${featureset}: ${applied} applied${skipped.length ? `, skipped (do not apply to this tree): ${skipped.join(' ')}` : ''}`;
  fs.writeFileSync(stamp, `${note}\n`);
  return { dir: out, note };
}

/** the tree a flavour is estimated on: --tree, or for a featureset flavour its patched copy */
function treeFor(flavour) {
  const set = FLAVOURS[flavour]?.featureset;
  if (!set || treeGiven) return baseTree;
  const t = featureTree(set);
  log(`${flavour}: tree ${t.dir} (${t.note})`);
  return t.dir;
}

function runEstimate(tree, config) {
  const cli = path.join(__dirname, '..', 'dist', 'cli.js');
  const a = [cli, 'estimate', tree, '--config', config, '--json', '--no-rules'];
  if (cpus) a.push('--cpus', cpus);
  if (v['no-result-cache']) a.push('--no-result-cache');
  if (v.compiled) a.push('--cross-compile', 'auto');
  return JSON.parse(execFileSync(process.execPath, a, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] }));
}

const pct = (a, b) => `${((100 * a) / b).toFixed(2)}%`;

function compare(flavour) {
  const t = fetch(flavour);
  if (fetchOnly) return undefined;
  const est = runEstimate(treeFor(flavour), t.config);
  if (jsonDir) fs.writeFileSync(path.join(jsonDir, `${flavour}.json`), JSON.stringify(est));
  // size-0 symbols are linker-script aliases (x86's const_pcpu_hot = pcpu_hot), not definitions
  const real = Object.fromEntries(Object.entries(t.syms.syms).filter(([, s]) => s.size > 0));
  const ours = new Map();
  for (const v of est.static.variables) {
    let k = v.name;
    for (let n = 2; ours.has(k); n++) k = `${v.name}#${n}`;
    ours.set(k, v);
  }
  const names = Object.keys(real);
  let atOffset = 0;
  const wrong = [];
  const missing = [];
  for (const n of names) {
    const v = ours.get(n);
    if (!v) missing.push(n);
    else if (v.offset === real[n].offset && v.size === real[n].size) atOffset++;
    else wrong.push(n);
  }
  const extra = [...ours.keys()].filter((n) => !real[n]);
  // modules: ours by name (Kbuild's - and _ are the same module)
  const norm = (n) => n.replace(/-/g, '_');
  const realMods = new Map(Object.entries(t.modules).map(([k, v]) => [norm(k), v]));
  const ourMods = new Map(est.reserved.modules.map((m) => [norm(m.name), m]));
  const modEqual = [];
  const modDiff = [];
  const modMissing = [];
  for (const [n, m] of realMods) {
    const o = ourMods.get(n);
    if (!o) modMissing.push(n);
    else if (o.size === m.size) modEqual.push(n);
    else modDiff.push(n);
  }
  const modExtra = [...ourMods.keys()].filter((n) => !realMods.has(n));
  const fc = est.firstChunk;
  const r = {
    flavour, arch: est.arch, realBytes: t.syms.size, estBytes: est.static.bytes, symbols: names.length, atOffset,
    wrong, missing, extra, modEqual, modDiff, modMissing, modExtra, realMods, ourMods, unresolved: est.unresolved,
    bootLine: fc.bootLine ?? fc.error, est, real,
  };
  report(r);
  return r;
}

function report(r) {
  const lim = (l) => (all ? l : l.slice(0, 30));
  const d = r.estBytes - r.realBytes;
  console.log(`\n== ${r.flavour} (${r.arch})`);
  console.log(`static area: real ${r.realBytes} B, estimated ${r.estBytes} B, delta ${d} B (${pct(d, r.realBytes)})`);
  console.log(`symbols: real ${r.symbols}, at the real offset with the real size ${r.atOffset} (${pct(r.atOffset, r.symbols)}); wrong place/size ${r.wrong.length}, missing ${r.missing.length}, extra ${r.extra.length}`);
  console.log(`modules with .data..percpu: real ${r.realMods.size}, equal ${r.modEqual.length}, different ${r.modDiff.length}, missing ${r.modMissing.length}, extra ${r.modExtra.length}`);
  console.log(`unresolved: ${r.unresolved.length}; boot line (${r.est.config.possibleCpus} CPUs): ${r.bootLine}`);
  // --compiled: how many objects gave their order (a failed preparation, flex missing, shows here, not as a silent model order)
  const o = r.est.static.order;
  if (o) console.log(`objects' order: ${o.compiled} of ${o.units} from ${o.existing ? 'the build' : 'the compiler'} (${o.buildDir})${o.failed.length ? `; ${o.failed.length} kept the model's, first: ${o.failed[0].file}: ${o.failed[0].reason.slice(0, 160)}` : ''}`);
  const ours = new Map(r.est.static.variables.map((v) => [v.name, v]));
  if (r.wrong.length) {
    console.log('wrong (name real off/size, ours off/size, file:line):');
    for (const n of lim(r.wrong)) {
      const v = ours.get(n.replace(/#\d+$/, ''));
      console.log(`  ${n} ${r.real[n].offset}/${r.real[n].size} ${v.offset}/${v.size} ${v.file}:${v.line}`);
    }
  }
  if (r.missing.length) {
    const why = new Map();
    for (const u of [...r.est.unresolved, ...r.est.notBuilt]) if (!why.has(u.name)) why.set(u.name, `${u.file}:${u.line} ${u.reason}`);
    console.log('missing (in vmlinux, not ours; name real off/size, why):');
    for (const n of lim(r.missing)) console.log(`  ${n} ${r.real[n].offset}/${r.real[n].size}${why.has(n) ? ` — ${why.get(n).slice(0, 160)}` : ''}`);
  }
  if (r.extra.length) {
    console.log('extra (ours, not in vmlinux):');
    for (const n of lim(r.extra)) {
      const v = ours.get(n.replace(/#\d+$/, ''));
      console.log(`  ${n} ${v.offset}/${v.size} ${v.file}:${v.line}`);
    }
  }
  const modLine = (n) => {
    const a = r.realMods.get(n);
    const b = r.ourMods.get(n);
    return `  ${n} real ${a ? a.size : '-'} ours ${b ? b.size : '-'} ${a ? a.path : b.files.join(' ')}`;
  };
  if (r.modDiff.length + r.modMissing.length + r.modExtra.length) console.log('modules differing / missing / extra:');
  for (const n of lim([...r.modDiff, ...r.modMissing, ...r.modExtra])) console.log(modLine(n));
  if (r.unresolved.length) {
    console.log('unresolved:');
    for (const u of lim(r.unresolved)) console.log(`  ${u.file}:${u.line} ${u.name ?? ''} ${u.reason.slice(0, 140)}`);
  }
}

function main() {
  if (jsonDir) fs.mkdirSync(jsonDir, { recursive: true });
  const rows = [];
  for (const f of flavours) {
    try {
      const r = compare(f);
      if (r) rows.push(r);
    } catch (e) {
      console.log(`\n== ${f}: ${e.message}`);
    }
  }
  if (table && rows.length) {
    console.log('\n| Debian 6.12 flavour | static area: real / estimated (delta) | symbols at the real offset with the real size | modules\' `.data..percpu` equal / real (extra) | unresolved |');
    console.log('|---|---|---|---|---|');
    for (const r of rows) {
      const d = r.estBytes - r.realBytes;
      console.log(`| ${r.flavour} | ${r.realBytes} / ${r.estBytes} (${d ? pct(d, r.realBytes) : 'exact'}) | ${r.atOffset}/${r.symbols} (${pct(r.atOffset, r.symbols)}) | ${r.modEqual.length}/${r.realMods.size} (${r.modExtra.length}) | ${r.unresolved.length} |`);
    }
  }
}

main();
process.exit(0);

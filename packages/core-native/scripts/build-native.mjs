// Builds the Rust core in release mode and puts the binary where the loader looks for it:
// native/tollgate-core.<platform>-<arch>[-gnu|-musl].node. Run from anywhere.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoDir = fileURLToPath(new URL('../../..', import.meta.url));

execFileSync('cargo', ['build', '--release', '--locked', '-p', 'tollgate-node'], { cwd: repoDir, stdio: 'inherit' });

const libraryName = { linux: 'libtollgate_node.so', darwin: 'libtollgate_node.dylib', win32: 'tollgate_node.dll' }[process.platform];
if (libraryName === undefined) throw new Error(`unsupported platform ${process.platform}`);
const libc = process.platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? '-gnu' : '-musl') : '';
const target = `${packageDir}native/tollgate-core.${process.platform}-${process.arch}${libc}.node`;
mkdirSync(`${packageDir}native`, { recursive: true });
// Copy then rename: overwriting a binary that a running process has mapped would crash it.
copyFileSync(`${repoDir}target/release/${libraryName}`, `${target}.tmp-${process.pid}`);
renameSync(`${target}.tmp-${process.pid}`, target);
process.stdout.write(`native binary: ${target}\n`);

import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const n = require('./native.js');
function bench(name, f){ for(let i=0;i<20000;i++) f(); const N=300000; const s=process.hrtime.bigint(); for(let i=0;i<N;i++) f(); const ns=Number(process.hrtime.bigint()-s)/N; console.log(name, ns.toFixed(0),'ns'); }
bench('coreVersion', ()=>n.coreVersion());
bench('isValidScope', ()=>n.isValidScope('tool:a'));
const ss=n.ScopeSet.lenient(['tool:a']);
bench('ss.size', ()=>ss.size);
bench('ss.allows', ()=>ss.allows('tool:a'));
const js = (r, ps) => { for (const p of ps) { if (p === r) return true; if (p.endsWith('*') && r.startsWith(p.slice(0,-1))) return true;} return false; };
const ps = Array.from({length:20},(_, i)=>`tool:t${i}:*`);
bench('js loop', ()=>js('tool:t19:x', ps));

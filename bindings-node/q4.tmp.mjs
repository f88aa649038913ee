import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const n = require('./native.js');
const f = n.fastApi();
const { createVerifier } = require('fast-jwt');
const secret='6ea6bc6c95f49cbfd43c012f2d066237643dcd3284ae2e3ba7c32511dcdd9009';
const t=n.issueAtiToken(secret,{sub:'agent-1',scope:'tool:a tool:b:*', rate:{'tool:a':'10/hour'}});
const key=n.Key.hs256Hex(secret); const ks=new n.KeySet([key]);
const v=new n.Verifier(ks,{algorithms:['HS256']}); const vh=v.handle();
const fv=createVerifier({key: Buffer.from(secret,'hex'), algorithms:['HS256'], cache:false, allowedAud:'ati-proxy'});
function bench(name, fn){ for(let i=0;i<20000;i++) fn(); const N=300000; const s=process.hrtime.bigint(); for(let i=0;i<N;i++) fn(); const ns=Number(process.hrtime.bigint()-s)/N; console.log(name, ns.toFixed(0),'ns'); }
bench('warden verify', ()=>f.verify(vh,t));
bench('warden verify+sub', ()=>f.claim(f.verify(vh,t),0));
bench('fast-jwt verify', ()=>fv(t).sub);
const ss=n.ScopeSet.lenient(Array.from({length:20},(_, i)=>`tool:t${i}:*`)); const sh=ss.handle();
bench('scopes allows', ()=>f.allows(sh,'tool:t19:x'));
const js = (r, ps) => { for (const p of ps) { if (p === r) return true; if (p.endsWith('*') && r.startsWith(p.slice(0,-1))) return true;} return false; };
const ps = Array.from({length:20},(_, i)=>`tool:t${i}:*`);
bench('js loop', ()=>js('tool:t19:x', ps));
const c=f.verify(vh,t); console.log(f.claim(c,11), f.claim(c,13), f.claim(c,5));
try { f.verify(vh,'x.y.z') } catch(e) { console.log(e.message) }
try { f.verify(3,'x.y.z') } catch(e) { console.log(e.message) }

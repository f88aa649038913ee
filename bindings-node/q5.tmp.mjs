import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const n = require('./native.js');
const f = n.fastApi();
const secret='6ea6bc6c95f49cbfd43c012f2d066237643dcd3284ae2e3ba7c32511dcdd9009';
const t=n.issueAtiToken(secret,{sub:'agent-1',scope:'tool:a tool:b:*', rate:{'tool:a':'10/hour'}});
const key=n.Key.hs256Hex(secret); const ks=new n.KeySet([key]);
const v=new n.Verifier(ks,{algorithms:['HS256']}); const vh=v.handle();
for(let i=0;i<1000000;i++) f.verify(vh,t);

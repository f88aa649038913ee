import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const n = require('./native.js');
const ss=n.ScopeSet.lenient(['tool:a']);
let x=0; const s=process.hrtime.bigint();
for(let i=0;i<2000000;i++) x+=ss.size;
console.log(Number(process.hrtime.bigint()-s)/2e6);

// Test helper: a JSON reader that keeps what JSON.parse loses, so vectors are compared exactly.
// - integers beyond ±(2^53−1) become BigInt (Warden returns those as BigInt);
// - every object/array remembers its exact source text (rawOf), so a case can be handed to the
//   core as text (`Claims.parse`) when JS numbers cannot express it (`1790000001.0` is a float
//   in JSON, but the JS number 1790000001 is an integer);
// - `isLossy(v)` is true when v holds such an integer-valued float literal.

const RAW = new WeakMap()
const LOSSY = new WeakSet()

export function rawOf(v) {
  const r = RAW.get(v)
  if (r === undefined) throw new Error('no raw text for this value')
  return r
}

export function isLossy(v) {
  return typeof v === 'object' && v !== null && LOSSY.has(v)
}

export function parseJson(text) {
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++
  }
  const fail = (m) => {
    throw new SyntaxError(`${m} at ${i}`)
  }
  let lossy = false
  function value() {
    ws()
    const c = text[i]
    if (c === '{') {
      const start = i++
      const obj = {}
      const outer = lossy
      lossy = false
      ws()
      if (text[i] === '}') i++
      else {
        for (;;) {
          ws()
          if (text[i] !== '"') fail('expected a member name')
          const k = string()
          ws()
          if (text[i++] !== ':') fail('expected :')
          Object.defineProperty(obj, k, { value: value(), enumerable: true, writable: true, configurable: true })
          ws()
          if (text[i] === ',') i++
          else if (text[i] === '}') {
            i++
            break
          } else fail('expected , or }')
        }
      }
      RAW.set(obj, text.slice(start, i))
      if (lossy) LOSSY.add(obj)
      lossy = lossy || outer
      return obj
    }
    if (c === '[') {
      const start = i++
      const arr = []
      const outer = lossy
      lossy = false
      ws()
      if (text[i] === ']') i++
      else {
        for (;;) {
          arr.push(value())
          ws()
          if (text[i] === ',') i++
          else if (text[i] === ']') {
            i++
            break
          } else fail('expected , or ]')
        }
      }
      RAW.set(arr, text.slice(start, i))
      if (lossy) LOSSY.add(arr)
      lossy = lossy || outer
      return arr
    }
    if (c === '"') return string()
    if (text.startsWith('true', i)) return (i += 4), true
    if (text.startsWith('false', i)) return (i += 5), false
    if (text.startsWith('null', i)) return (i += 4), null
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (!m) fail('unexpected character')
    i += m[0].length
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(m[0])
      return Number.isSafeInteger(n) ? n : BigInt(m[0])
    }
    const f = Number(m[0])
    if (Number.isInteger(f)) lossy = true
    return f
  }
  function string() {
    const start = i
    i++
    for (;;) {
      const c = text[i]
      if (c === undefined) fail('unterminated string')
      if (c === '\\') i += 2
      else if (c === '"') {
        i++
        break
      } else i++
    }
    return JSON.parse(text.slice(start, i))
  }
  const v = value()
  ws()
  if (i !== text.length) fail('trailing data')
  return v
}

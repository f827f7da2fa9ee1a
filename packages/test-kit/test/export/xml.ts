// A tiny XML well-formedness check for the SVG tests: balanced tags, quoted attributes,
// unique attribute names, escaped text, one root element.

/** @returns problems found; empty when `xml` is well formed */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const checkText = (t: string): void => {
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(t))
      problems.push(`bad & in ${JSON.stringify(t)}`);
    if (t.includes('>')) problems.push(`raw > in text ${JSON.stringify(t)}`);
  };
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const textPart = body.slice(i, lt < 0 ? body.length : lt);
    if (textPart.trim() && stack.length === 0) problems.push(`text outside the root: ${textPart}`);
    checkText(textPart);
    if (lt < 0) break;
    const gt = body.indexOf('>', lt);
    if (gt < 0) {
      problems.push('unterminated tag');
      break;
    }
    const tag = body.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const m = /^([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*\/?$/.exec(tag);
    if (!m) {
      problems.push(`malformed tag <${tag}>`);
      continue;
    }
    const names = [...m[2]!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => {
      checkText(a[2]!);
      return a[1]!;
    });
    if (new Set(names).size !== names.length) problems.push(`duplicate attribute in <${m[1]}>`);
    if (stack.length === 0) roots++;
    if (!selfClosing) stack.push(m[1]!);
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

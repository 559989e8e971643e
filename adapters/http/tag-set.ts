// A destination's tag set from config templates: compiled once at start-up, rendered and sanitized per record.
import { compileTemplate, type TemplateInput } from '../../src/normalize/template.ts';

/**
 * The tags of a record joined by "," (the form both Loggly's URL and LogDNA's `tags` parameter take), each
 * passed through the provider's `sanitize`; duplicates and tags that sanitize to "" are left out. `where`
 * names the config key for errors, e.g. "destinations.loggly.tags".
 */
export function compileTagSet(templates: readonly string[], where: string, sanitize: (tag: string) => string): (input: TemplateInput) => string {
  const renderers = templates.map((t, i) => {
    // A template without placeholders renders the same for every record: sanitize it once.
    if (!t.includes('{') && !t.includes('}')) {
      const fixed = sanitize(t);
      return () => fixed;
    }
    const render = compileTemplate(t, `${where}[${i}]`);
    return (input: TemplateInput) => sanitize(render(input));
  });
  if (renderers.length === 0) return () => '';
  if (renderers.length === 1) return renderers[0]!;
  return (input) => {
    const seen: string[] = [];
    for (const render of renderers) {
      const tag = render(input);
      if (tag !== '' && !seen.includes(tag)) seen.push(tag);
    }
    return seen.join(',');
  };
}

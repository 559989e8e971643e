// Public names of the normalize stage: entries to records, name templates, record encodings, the `records` options.
export { Normalizer } from './normalizer.ts';
export { compileTemplate, TEMPLATE_NAMES, type CompiledTemplate, type TemplateInput } from './template.ts';
export { recordToJsonLine, recordToText, ECS_LOGS_LEVELS } from './encode.ts';
export { recordsOptionsSchema, MULTILINE_RULES, type RecordsOptions } from './options.ts';

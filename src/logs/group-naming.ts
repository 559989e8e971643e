// How a service name maps to its log group and back: from the destination's group template ("/ecs/{service}"
// -> prefix "/ecs/") or from --group-prefix, sanitized exactly as the forwarder names groups.
import { sanitizeGroupName } from '../../adapters/cloudwatch/names.ts';
import { compileTemplate } from '../normalize/template.ts';

/** The CloudWatch destination's default group template (adapters/cloudwatch/config.ts). */
export const DEFAULT_GROUP_TEMPLATE = '/journal-fanout/{service}';

/** Characters a group name cannot hold, replaced as names.ts does, so that a prefix can be listed. */
const GROUP_FORBIDDEN = /[^.\-_/#A-Za-z0-9]/g;

export class GroupNaming {
  /** Literal text before the service part of a group name. */
  readonly prefix: string;
  /** Literal text after it ("" for most templates). */
  readonly suffix: string;
  /** The one group of a template without placeholders: every service shares it, and it is its own "service". */
  readonly fixed: string | undefined;
  /** Where the naming comes from, for messages. */
  readonly origin: string;

  private constructor(prefix: string, suffix: string, fixed: string | undefined, origin: string) {
    this.prefix = prefix.replace(GROUP_FORBIDDEN, '_');
    this.suffix = suffix;
    this.fixed = fixed;
    this.origin = origin;
  }

  /**
   * From a group template: the literal text before its first placeholder is the prefix, the literal text after
   * its last is the suffix, and whatever lies between is "the service" (so "/ecs/{ecs.cluster}/{service}"
   * lists services as "prod/api"). `where` names the template for errors (a bad one is a ConfigError).
   */
  static fromTemplate(template: string, where: string): GroupNaming {
    compileTemplate(template, where);
    const open = template.indexOf('{');
    if (open < 0) return new GroupNaming('', '', sanitizeGroupName(template), `${where} "${template}"`);
    const close = template.lastIndexOf('}');
    return new GroupNaming(template.slice(0, open), template.slice(close + 1), undefined, `${where} "${template}"`);
  }

  static fromPrefix(prefix: string): GroupNaming {
    return new GroupNaming(prefix, '', undefined, `--group-prefix "${prefix}"`);
  }

  /** The group the forwarder writes SERVICE's records to. */
  groupOf(service: string): string {
    return sanitizeGroupName(this.fixed !== undefined ? service : this.prefix + service + this.suffix);
  }

  /** The service a group holds, or undefined for a group this naming does not produce. */
  serviceOf(group: string): string | undefined {
    if (this.fixed !== undefined) return group === this.fixed ? group : undefined;
    if (!group.startsWith(this.prefix) || !group.endsWith(this.suffix) || group.length <= this.prefix.length + this.suffix.length) return undefined;
    return group.slice(this.prefix.length, group.length - this.suffix.length);
  }

  /** The DescribeLogGroups prefix that lists this naming's groups (undefined: every group). */
  get listPrefix(): string | undefined {
    const prefix = this.fixed ?? this.prefix;
    return prefix === '' ? undefined : prefix;
  }
}

import * as AlibabaCredentials from '@alicloud/credentials';
import { ConfigurationError } from './errors.js';
import { maskAccessKeyId, type Redactor } from './redactor.js';

/** Keys given directly (from a flag or a secrets store). */
export interface StaticCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  /** An STS token, for temporary credentials. */
  securityToken?: string;
}

/** Anything with `getCredentials()`, as `@alicloud/credentials` providers are: called before every request. */
export interface CredentialsSource {
  getCredentials(): Promise<{
    accessKeyId: string;
    accessKeySecret: string;
    securityToken?: string;
    providerName?: string;
  }>;
}

/** Which credentials to use. Without any, the official default chain is used. */
export interface CredentialsOptions {
  credentials?: StaticCredentials;
  /** A profile of the aliyun CLI (`~/.aliyun/config.json`), else of `~/.alibabacloud/credentials`. */
  profile?: string;
  /** A provider of your own (refreshing tokens, a vault). */
  credentialsProvider?: CredentialsSource;
}

/** What to say when the default chain finds no credentials anywhere: where it looked, and how to give them. */
export const NO_CREDENTIALS =
  'no Alibaba Cloud credentials found. Looked in: the environment (ALIBABA_CLOUD_ACCESS_KEY_ID and ' +
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET), an OIDC role (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ' +
  'ALIBABA_CLOUD_OIDC_TOKEN_FILE), the aliyun CLI profile file ~/.aliyun/config.json, the credentials file ' +
  '~/.alibabacloud/credentials (or ALIBABA_CLOUD_CREDENTIALS_FILE), and the ECS instance RAM role. Give them ' +
  'with `export ALIBABA_CLOUD_ACCESS_KEY_ID=… ALIBABA_CLOUD_ACCESS_KEY_SECRET=…`, or run `aliyun configure`, ' +
  'or choose a profile with --profile NAME.';

/** Credentials ready for signing, which also knows how to tell the user where they came from. */
export class ResolvedCredentials {
  #lastProvider = '';
  #lastKeyId = '';

  constructor(
    private readonly source: CredentialsSource,
    private readonly redactor: Redactor,
    private readonly options: CredentialsOptions,
  ) {}

  /** For pop-core: fetched before every request, so refreshing providers stay fresh. */
  async getCredentials(): Promise<{ accessKeyId: string; accessKeySecret: string; securityToken?: string }> {
    let c: Awaited<ReturnType<CredentialsSource['getCredentials']>>;
    try {
      c = await this.source.getCredentials();
    } catch (error) {
      const said = error instanceof Error ? error.message : String(error);
      // The default chain found nothing anywhere: say where it looked, not each provider's own complaint.
      const nothing = !this.options.profile && /any of the providers in the chain/.test(said);
      throw new ConfigurationError(
        nothing
          ? NO_CREDENTIALS
          : `no usable Alibaba Cloud credentials: ${this.redactor.scrub(said)}. Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, run \`aliyun configure\`, or name a profile.`,
        { serverCode: 'NoCredentials', action: 'credentials' },
      );
    }
    if (!c?.accessKeyId || !c.accessKeySecret) {
      throw new ConfigurationError('the credentials provider returned no access key id or secret.', {
        serverCode: 'NoCredentials',
        action: 'credentials',
      });
    }
    this.redactor.add(c.accessKeySecret);
    this.redactor.add(c.securityToken);
    this.#lastProvider = c.providerName ?? '';
    this.#lastKeyId = c.accessKeyId;
    return {
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken || undefined,
    };
  }

  /** The access key id last used, masked. */
  get maskedKeyId(): string {
    return this.#lastKeyId ? maskAccessKeyId(this.#lastKeyId) : 'unknown';
  }

  /** Where the credentials came from and what to check, for error messages. */
  hint(): string {
    const p = this.#lastProvider;
    if (this.options.credentials) return 'check the access key id and secret given to swas-archive';
    if (this.options.credentialsProvider && !p) return 'check the credentials your provider returns';
    if (p.includes('env'))
      return 'check ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN)';
    if (p.includes('cli_profile')) {
      const profile = this.options.profile ?? process.env.ALIBABA_CLOUD_PROFILE;
      return `check ${profile ? `profile ${profile}` : 'the current profile'} in ~/.aliyun/config.json`;
    }
    if (p.includes('profile'))
      return 'check the profile in ~/.alibabacloud/credentials (or ALIBABA_CLOUD_CREDENTIALS_FILE)';
    if (p.includes('oidc'))
      return 'check ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE';
    if (p.includes('ecs_ram_role')) return "check the instance's RAM role";
    return 'check the credentials (environment variables, aliyun CLI profile, or credentials file)';
  }
}

/** Picks the credentials source from the options: explicit keys, a named profile, a provider, or the default chain. */
export function resolveCredentials(options: CredentialsOptions, redactor: Redactor): ResolvedCredentials {
  const given = [options.credentials, options.profile, options.credentialsProvider].filter(
    (x) => x !== undefined,
  );
  if (given.length > 1) {
    throw new ConfigurationError('give only one of credentials, profile and credentialsProvider.', {
      serverCode: 'InvalidOptions',
      action: 'credentials',
    });
  }
  if (options.credentials) {
    const { accessKeyId, accessKeySecret, securityToken } = options.credentials;
    if (!accessKeyId || !accessKeySecret) {
      throw new ConfigurationError('credentials need both accessKeyId and accessKeySecret.', {
        serverCode: 'InvalidOptions',
        action: 'credentials',
      });
    }
    redactor.add(accessKeySecret);
    redactor.add(securityToken);
    const source: CredentialsSource = {
      getCredentials: async () => ({ accessKeyId, accessKeySecret, securityToken, providerName: 'static' }),
    };
    return new ResolvedCredentials(source, redactor, options);
  }
  if (options.credentialsProvider)
    return new ResolvedCredentials(options.credentialsProvider, redactor, options);
  if (options.profile) return new ResolvedCredentials(profileSource(options.profile), redactor, options);
  return new ResolvedCredentials(
    AlibabaCredentials.DefaultCredentialsProvider.builder().build(),
    redactor,
    options,
  );
}

/** The aliyun CLI's profile of that name, else the credentials file's. */
function profileSource(name: string): CredentialsSource {
  const cli = AlibabaCredentials.CLIProfileCredentialsProvider.builder().withProfileName(name).build();
  const ini = AlibabaCredentials.ProfileCredentialsProvider.builder().withProfileName(name).build();
  return {
    async getCredentials() {
      try {
        return await cli.getCredentials();
      } catch (cliError) {
        try {
          return await ini.getCredentials();
        } catch (iniError) {
          const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
          throw new Error(
            `profile ${name} was not found in ~/.aliyun/config.json (${why(cliError)}) nor in ~/.alibabacloud/credentials (${why(iniError)})`,
          );
        }
      }
    },
  };
}

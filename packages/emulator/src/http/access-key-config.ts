/** One access key the emulator accepts. */
export interface AccessKeyConfig {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, every request with this key must carry this STS token (`SecurityToken`). */
  securityToken?: string;
  /** Actions this key may not call: they answer `Forbidden.RAM` (HTTP 403), as a missing RAM permission does. */
  forbiddenActions?: readonly string[];
}

/** Regions SWAS serves, with their console names in Chinese (the default) and English (`AcceptLanguage=en-US`). */
export const REGION_CATALOG: readonly { regionId: string; localName: string; englishName: string }[] = [
  { regionId: 'cn-hangzhou', localName: '华东1（杭州）', englishName: 'China (Hangzhou)' },
  { regionId: 'cn-shanghai', localName: '华东2（上海）', englishName: 'China (Shanghai)' },
  { regionId: 'cn-beijing', localName: '华北2（北京）', englishName: 'China (Beijing)' },
  { regionId: 'cn-shenzhen', localName: '华南1（深圳）', englishName: 'China (Shenzhen)' },
  { regionId: 'cn-hongkong', localName: '中国香港', englishName: 'China (Hong Kong)' },
  { regionId: 'ap-southeast-1', localName: '新加坡', englishName: 'Singapore' },
  { regionId: 'ap-northeast-1', localName: '日本（东京）', englishName: 'Japan (Tokyo)' },
  { regionId: 'us-west-1', localName: '美国（硅谷）', englishName: 'US (Silicon Valley)' },
  { regionId: 'us-east-1', localName: '美国（弗吉尼亚）', englishName: 'US (Virginia)' },
  { regionId: 'eu-central-1', localName: '德国（法兰克福）', englishName: 'Germany (Frankfurt)' },
  { regionId: 'cn-qingdao', localName: '华北1（青岛）', englishName: 'China (Qingdao)' },
  { regionId: 'cn-zhangjiakou', localName: '华北3（张家口）', englishName: 'China (Zhangjiakou)' },
  { regionId: 'cn-chengdu', localName: '西南1（成都）', englishName: 'China (Chengdu)' },
  { regionId: 'ap-southeast-3', localName: '马来西亚（吉隆坡）', englishName: 'Malaysia (Kuala Lumpur)' },
  { regionId: 'ap-southeast-5', localName: '印度尼西亚（雅加达）', englishName: 'Indonesia (Jakarta)' },
  { regionId: 'eu-west-1', localName: '英国（伦敦）', englishName: 'UK (London)' },
];

/** The script types Cloud Assistant runs. */
export type CommandType = 'RunShellScript' | 'RunBatScript' | 'RunPowerShellScript';

/** A command users run, with how often it fails and how long it takes. */
export interface CommandTemplate {
  name: string;
  type: CommandType;
  /** Script text; `{{name}}` marks a parameter. */
  content: string;
  /** Candidate values per parameter. */
  parameters?: Record<string, readonly string[]>;
  failureRate: number;
  /** Typical run time in seconds (exponentially distributed around it). */
  meanSeconds: number;
  timeoutSeconds: number;
}

/** Commands Linux instances run, from routine checks to deployments that often fail. */
export const LINUX_COMMANDS: readonly CommandTemplate[] = [
  {
    name: 'disk-usage',
    type: 'RunShellScript',
    content: 'df -h\ndu -sh /var/log',
    failureRate: 0.005,
    meanSeconds: 2,
    timeoutSeconds: 60,
  },
  {
    name: 'yum-update',
    type: 'RunShellScript',
    content: '#!/bin/bash\nset -e\nyum -y update',
    failureRate: 0.06,
    meanSeconds: 240,
    timeoutSeconds: 3600,
  },
  {
    name: 'restart-service',
    type: 'RunShellScript',
    content: 'systemctl restart {{service}} && systemctl is-active {{service}}',
    parameters: { service: ['nginx', 'mysqld', 'redis', 'docker', 'php-fpm'] },
    failureRate: 0.03,
    meanSeconds: 5,
    timeoutSeconds: 120,
  },
  {
    name: 'deploy-app',
    type: 'RunShellScript',
    content:
      '#!/bin/bash\nset -euo pipefail\ncd /opt/app\ngit fetch --tags && git checkout {{version}}\n./deploy.sh --env {{env}}',
    parameters: { version: ['v1.4.2', 'v1.4.3', 'v1.5.0', 'v1.5.1-rc1'], env: ['prod', 'staging'] },
    failureRate: 0.22,
    meanSeconds: 90,
    timeoutSeconds: 1800,
  },
  {
    name: 'db-backup',
    type: 'RunShellScript',
    content: 'mysqldump --all-databases --single-transaction | gzip > /backup/db-$(date +%F).sql.gz',
    failureRate: 0.08,
    meanSeconds: 1800,
    timeoutSeconds: 14400,
  },
  {
    name: '清理日志',
    type: 'RunShellScript',
    content: '# 清理七天前的日志\nfind /var/log -name "*.log" -mtime +7 -delete\necho "完成"',
    failureRate: 0.01,
    meanSeconds: 8,
    timeoutSeconds: 300,
  },
  {
    name: 'cert-renew',
    type: 'RunShellScript',
    content: 'certbot renew --quiet && nginx -s reload',
    failureRate: 0.12,
    meanSeconds: 20,
    timeoutSeconds: 600,
  },
  {
    name: 'health-check',
    type: 'RunShellScript',
    content: 'curl -fsS --max-time 5 http://127.0.0.1:{{port}}/healthz',
    parameters: { port: ['80', '8080', '3000'] },
    failureRate: 0.04,
    meanSeconds: 1,
    timeoutSeconds: 30,
  },
  {
    name: 'install-agent',
    type: 'RunShellScript',
    content: 'wget -qO- https://example.invalid/agent.sh | bash',
    failureRate: 0.15,
    meanSeconds: 45,
    timeoutSeconds: 600,
  },
  {
    name: '',
    type: 'RunShellScript',
    content: 'uptime',
    failureRate: 0.002,
    meanSeconds: 1,
    timeoutSeconds: 60,
  },
];

/** Commands Windows instances run. */
export const WINDOWS_COMMANDS: readonly CommandTemplate[] = [
  {
    name: 'win-disk',
    type: 'RunBatScript',
    content: 'wmic logicaldisk get size,freespace,caption',
    failureRate: 0.01,
    meanSeconds: 3,
    timeoutSeconds: 60,
  },
  {
    name: 'win-update',
    type: 'RunPowerShellScript',
    content:
      'Install-Module PSWindowsUpdate -Force\nGet-WindowsUpdate -AcceptAll -Install -AutoReboot:{{reboot}}',
    parameters: { reboot: ['false', 'true'] },
    failureRate: 0.18,
    meanSeconds: 600,
    timeoutSeconds: 7200,
  },
  {
    name: 'iis-reset',
    type: 'RunBatScript',
    content: 'iisreset /restart',
    failureRate: 0.05,
    meanSeconds: 15,
    timeoutSeconds: 300,
  },
  {
    name: '服务巡检',
    type: 'RunPowerShellScript',
    content: 'Get-Service | Where-Object {$_.Status -eq "Stopped"} | Select-Object Name',
    failureRate: 0.02,
    meanSeconds: 4,
    timeoutSeconds: 120,
  },
];

/** Instance plans; the last one is the Windows plan. */
export const PLANS: readonly { planId: string; planType: string }[] = [
  { planId: 'swas.s.c2m1s40b1.linux', planType: 'NORMAL' },
  { planId: 'swas.s.c2m2s40b3.linux', planType: 'NORMAL' },
  { planId: 'swas.s.c2m4s60b5.linux', planType: 'NORMAL' },
  { planId: 'swas.s.c4m8s80b6.linux', planType: 'MULTI_IP' },
  { planId: 'swas.s.c2m4s80b5.win', planType: 'NORMAL' },
];

/** Words instance names are made of. */
export const NAME_WORDS = [
  'web',
  'api',
  'db',
  'cache',
  'worker',
  'blog',
  'shop',
  '测试',
  'gateway',
  'mail',
] as const;
/** Values of the tags instances carry. */
export const TAG_VALUES = {
  env: ['prod', 'staging', 'dev'],
  team: ['platform', 'payments', 'growth', '运维'],
} as const;

/** The Azure clouds aio-bridge knows: Resource Manager endpoint and token audience of each. */
export const CLOUDS = {
  AzureCloud: {
    resourceManager: 'https://management.azure.com',
    audience: 'https://management.azure.com',
    authorityHost: 'https://login.microsoftonline.com',
    eventGridAudience: 'https://eventgrid.azure.net/',
  },
  AzureUSGovernment: {
    resourceManager: 'https://management.usgovcloudapi.net',
    audience: 'https://management.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
    eventGridAudience: 'https://eventgrid.azure.net/',
  },
  AzureChinaCloud: {
    resourceManager: 'https://management.chinacloudapi.cn',
    audience: 'https://management.chinacloudapi.cn',
    authorityHost: 'https://login.chinacloudapi.cn',
    eventGridAudience: 'https://eventgrid.azure.net/',
  },
} as const

export type CloudName = keyof typeof CLOUDS
export const CLOUD_NAMES = Object.keys(CLOUDS) as CloudName[]

/** An error the emulator answers with ARM's error body `{"error":{"code","message"}}`. */
export class ArmHttpError extends Error {
  override readonly name = 'ArmHttpError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: {headers?: Record<string, string>; details?: unknown[]; target?: string} = {},
  ) {
    super(message)
  }

  toBody(): {error: Record<string, unknown>} {
    const error: Record<string, unknown> = {code: this.code, message: this.message}
    if (this.extra.target) error.target = this.extra.target
    if (this.extra.details) error.details = this.extra.details
    return {error}
  }
}

export const armErrors = {
  subscriptionNotFound: (sub: string) =>
    new ArmHttpError(404, 'SubscriptionNotFound', `The subscription '${sub}' could not be found.`),
  resourceGroupNotFound: (rg: string) =>
    new ArmHttpError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`),
  resourceNotFound: (type: string, name: string, rg: string) =>
    new ArmHttpError(
      404,
      'ResourceNotFound',
      `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    ),
  parentNotFound: (parent: string) =>
    new ArmHttpError(
      404,
      'ParentResourceNotFound',
      `Can not perform requested operation on nested resource. Parent resource '${parent}' not found.`,
    ),
  invalidApiVersion: (version: string | undefined, type: string, supported: readonly string[]) =>
    new ArmHttpError(
      400,
      version ? 'InvalidApiVersionParameter' : 'MissingApiVersionParameter',
      version
        ? `The api-version '${version}' is invalid. The supported versions for '${type}' are '${supported.join(',')}'.`
        : 'The api-version query parameter (?api-version=) is required for all requests.',
    ),
  missingRegistration: (ns: string) =>
    new ArmHttpError(
      409,
      'MissingSubscriptionRegistration',
      `The subscription is not registered to use namespace '${ns}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
    ),
  invalidTemplate: (message: string) =>
    new ArmHttpError(400, 'InvalidTemplate', `Deployment template validation failed: '${message}'.`),
  badRequest: (message: string, code = 'BadRequest') => new ArmHttpError(400, code, message),
  invalidName: (name: string, rule: string) =>
    new ArmHttpError(400, 'InvalidResourceName', `Resource name '${name}' is invalid. ${rule}`),
  invalidUri: (path: string) =>
    new ArmHttpError(404, 'InvalidRequestUri', `No HTTP resource was found that matches the request URI '${path}'.`),
  /** The subscription, resource group or resource a scope names is missing: the error for that level. */
  scopeNotFound: (scope: string): ArmHttpError => {
    const segs = scope.split('/').filter(Boolean)
    const p = segs.findIndex((s) => s.toLowerCase() === 'providers')
    if (p < 0) {
      return segs.length <= 2
        ? armErrors.subscriptionNotFound(segs[1] as string)
        : armErrors.resourceGroupNotFound(segs[3] as string)
    }
    const rest = segs.slice(p + 1)
    const type = [rest[0], ...rest.slice(1).filter((_, i) => i % 2 === 0)].join('/')
    const name = rest
      .slice(1)
      .filter((_, i) => i % 2 === 1)
      .join('/')
    return armErrors.resourceNotFound(type, name, segs[3] as string)
  },
}

/** Kept free of imports: command flag definitions read it at start-up. */
export const RENDER_FORMATS = ['bicep', 'arm', 'kubernetes'] as const
export type RenderFormat = (typeof RENDER_FORMATS)[number]

import type { AppLinksConfig } from '../../config/config.js';
import type { TypedApp } from '../../http/typebox.js';

/** The paths of APP_URL that mails link to; each carries `?token=` except forgot-password. docs/deep-links.md. */
export const MAIL_LINK_PATHS = {
  verifyEmail: '/verify-email',
  resetPassword: '/reset-password',
  confirmEmailChange: '/confirm-email-change',
  revertEmailChange: '/revert-email-change',
  forgotPassword: '/forgot-password',
} as const;

/** Besides the mail links, the friend invite links (`/invite/{code}`) open the app too. */
const APP_PATHS = [...Object.values(MAIL_LINK_PATHS), '/invite/*'];

/** The apple-app-site-association document (iOS 13+ `components` format) for the configured app ids. */
export function appleAppSiteAssociation(appIds: string[]) {
  return {
    applinks: {
      details: [{ appIDs: appIds, components: APP_PATHS.map((path) => ({ '/': path })) }],
    },
  };
}

/** The Digital Asset Links statement that lets the Android app verify APP_URL's links. */
export function assetLinks(android: NonNullable<AppLinksConfig['android']>) {
  return [
    {
      relation: ['delegate_permission/common.handle_all_urls'],
      target: { namespace: 'android_app', package_name: android.packageName, sha256_cert_fingerprints: android.certFingerprints },
    },
  ];
}

/**
 * Serves /.well-known/apple-app-site-association and /.well-known/assetlinks.json when the apps are
 * configured (IOS_APP_IDS; ANDROID_APP_PACKAGE with ANDROID_APP_CERT_SHA256); unconfigured, they are 404.
 * They matter on the host of APP_URL, so this helps when APP_URL is this API (the default).
 */
export function registerAppLinkFiles(app: TypedApp, appLinks: AppLinksConfig): void {
  const options = { config: { public: true }, schema: { hide: true } };
  const { iosAppIds, android } = appLinks;
  if (iosAppIds.length > 0) {
    const body = JSON.stringify(appleAppSiteAssociation(iosAppIds));
    app.get('/.well-known/apple-app-site-association', options, async (_request, reply) =>
      reply.type('application/json').header('cache-control', 'public, max-age=3600').send(body),
    );
  }
  if (android) {
    const body = JSON.stringify(assetLinks(android));
    app.get('/.well-known/assetlinks.json', options, async (_request, reply) =>
      reply.type('application/json').header('cache-control', 'public, max-age=3600').send(body),
    );
  }
}

// The host's secrets that the built-in `host` image hides. The image binds the host's
// /etc, /usr and /lib* read-only, and a container's root holds CAP_DAC_OVERRIDE, so
// without this it reads /etc/shadow and the ssh host keys. They are masked (OCI
// `linux.maskedPaths`: a file is covered by /dev/null, a directory by an empty read-only
// tmpfs; the container has no CAP_SYS_ADMIN to lift them) rather than replaced by a
// curated copy of /etc: everything else there — passwd, group, resolv.conf, nsswitch,
// ld.so.cache, ca-certificates, timezone, alternatives — must keep working as on the
// host, and a copy would go stale. A path missing when the container starts is skipped.
import fs from 'node:fs';
import path from 'node:path';

/** Always masked. A trailing `/` marks what is normally a directory (the monitor
 * decides by what it finds at start; the mark only documents the list). */
export const HOST_SECRETS: readonly string[] = [
  // accounts and privilege
  '/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/security/opasswd',
  '/etc/sudoers', '/etc/sudoers.d/',
  // TLS and host keys
  '/etc/ssl/private/', '/etc/pki/tls/private/', '/etc/letsencrypt/', '/etc/docker/key.json',
  '/etc/docker/certs.d/', '/etc/containers/certs.d/',
  // network credentials: VPNs, Wi-Fi, PPP, IPsec
  '/etc/wireguard/', '/etc/openvpn/', '/etc/NetworkManager/system-connections/', '/etc/netplan/',
  '/etc/wpa_supplicant/', '/etc/wpa_supplicant.conf', '/etc/ppp/chap-secrets', '/etc/ppp/pap-secrets',
  '/etc/ipsec.secrets', '/etc/ipsec.d/private/', '/etc/swanctl/private/',
  // directory services and Kerberos
  '/etc/krb5.keytab', '/etc/ldap.secret', '/etc/libnss-ldap.secret', '/etc/pam_ldap.secret', '/etc/sssd/',
  // services' passwords and keys
  '/etc/mysql/debian.cnf', '/etc/postfix/sasl_passwd', '/etc/postfix/sasl_passwd.db',
  '/etc/exim4/passwd.client', '/etc/samba/smbpasswd', '/etc/rsyncd.secrets',
  '/etc/chrony.keys', '/etc/chrony/chrony.keys', '/etc/ntp.keys', '/etc/ntp/keys',
  '/etc/kubernetes/', '/etc/rancher/',
  // disk encryption keys and systemd credentials
  '/etc/cryptsetup-keys.d/', '/etc/credstore/', '/etc/credstore.encrypted/',
  '/usr/lib/credstore/', '/usr/lib/credstore.encrypted/',
  // /etc under version control (etckeeper) holds every file above in its history
  '/etc/.git/', '/etc/.hg/', '/etc/.bzr/', '/etc/_darcs/',
];

/** Files named per host, listed when the config is written: private keys only (an
 * ssh host key's `.pub` stays visible). */
export const HOST_SECRET_FILES: ReadonlyArray<{ dir: string; name: RegExp }> = [
  { dir: '/etc/ssh', name: /_key$/ }, // ssh_host_{rsa,ecdsa,ed25519}_key
  { dir: '/etc/dropbear', name: /_host_key$/ },
  { dir: '/etc/ceph', name: /\.keyring$/ },
];

/**
 * The paths to mask in a container whose image exposes `exposed` (container paths of
 * the host directories bound into it, e.g. `/etc`, `/usr`) from the host tree at
 * `hostRoot`: every HOST_SECRETS entry; the HOST_SECRET_FILES that exist now; and,
 * when they lie inside an exposed directory (after resolving links on the host), the
 * key files named in /etc/crypttab and `own`, hutch's own files (its state root,
 * runtime directory and registry credentials).
 */
export function hostSecretPaths(hostRoot: string, exposed: readonly string[], own: readonly string[] = []): string[] {
  const out = HOST_SECRETS.map((p) => (p.endsWith('/') ? p.slice(0, -1) : p));
  for (const { dir, name } of HOST_SECRET_FILES) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(hostRoot, dir));
    } catch {
      continue;
    }
    for (const n of names.sort()) if (name.test(n)) out.push(path.posix.join(dir, n));
  }
  const hidden = [...own, ...crypttabKeys(hostRoot)];
  if (hidden.length === 0) return out;
  const root = realpathOr(hostRoot);
  for (const p of hidden) {
    const real = realpathOr(path.join(hostRoot, p));
    const rel = path.relative(root, real);
    if (rel === '' || rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) continue;
    const inContainer = `/${rel}`;
    if (exposed.some((d) => inContainer.startsWith(`${d}/`)) && !out.includes(inContainer)) out.push(inContainer);
  }
  return out;
}

/** Key files of /etc/crypttab (third field: a path, not `none`/`-`/a device). */
function crypttabKeys(hostRoot: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(hostRoot, 'etc/crypttab'), 'utf8');
  } catch {
    return [];
  }
  const keys: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === '' || f[0].startsWith('#') || f.length < 3) continue;
    const key = f[2].split(':')[0]; // systemd's `path:device` form
    if (key.startsWith('/') && !key.startsWith('/dev/') && !key.startsWith('/proc/')) keys.push(key);
  }
  return keys;
}

/** The path with every link resolved, as far as it exists (the rest appended as is). */
function realpathOr(p: string): string {
  const tail: string[] = [];
  for (let cur = path.resolve(p); ; ) {
    try {
      return path.join(fs.realpathSync.native(cur), ...tail.reverse());
    } catch {
      const parent = path.dirname(cur);
      if (parent === cur) return path.resolve(p);
      tail.push(path.basename(cur));
      cur = parent;
    }
  }
}

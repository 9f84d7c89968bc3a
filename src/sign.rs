//! Signed changes: an editor registered with an OpenSSH ed25519 key signs each change's
//! canonical JSON as an SSH signature (SSHSIG, the format of `ssh-keygen -Y sign`), namespace
//! `uof-admin`, sha512, so anyone can check "who changed this link" with `ssh-keygen -Y verify`.
//!
//! The private key comes from a file (`--signing-key`, `UOF_SIGNING_KEY`; unencrypted OpenSSH
//! format) or from ssh-agent (`SSH_AUTH_SOCK`). A key file is read when a change is signed and
//! dropped (and zeroed, by `ssh-key`) right after: it is in memory only as long as signing needs.
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

use crate::exit_codes::{bad, bad_hint};

/// The namespace every signature of a change is made in: a signature for anything else cannot
/// pass.
pub const NAMESPACE: &str = "uof-admin";

/// The namespace a publication's record is signed in (SPEC section 18): a signature of a change
/// cannot pass for one of a record, nor the other way round.
pub const PUBLICATION_NAMESPACE: &str = "uof-admin-publication";

/// The largest key file read.
const MAX_KEY_BYTES: u64 = 64 * 1024;

/// Where the private key is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signer {
    File(PathBuf),
    Agent(PathBuf),
}

impl Signer {
    /// `--signing-key` (or `UOF_SIGNING_KEY`, which clap reads into it), else ssh-agent.
    pub fn find(file: Option<&Path>) -> Option<Signer> {
        match file {
            Some(path) => Some(Signer::File(path.to_owned())),
            None => {
                std::env::var_os("SSH_AUTH_SOCK").filter(|s| !s.is_empty()).map(|s| Signer::Agent(s.into()))
            }
        }
    }

    /// Sign `message` as `editor`, whose registered key is `public`: refused unless this
    /// signer holds exactly that key.
    pub fn sign(&self, editor: &str, public: &PublicKey, message: &[u8]) -> Result<String> {
        self.sign_in(NAMESPACE, editor, public, message)
    }

    /// Sign `message` in `namespace` as `editor`, whose registered key is `public`.
    pub fn sign_in(
        &self,
        namespace: &str,
        editor: &str,
        public: &PublicKey,
        message: &[u8],
    ) -> Result<String> {
        let signature = match self {
            Signer::File(path) => {
                let key = read_private_key(path)?;
                if key.public_key().key_data() != public.key_data() {
                    return Err(bad_hint(
                        format!(
                            "the key in `{}` ({}) is not {editor}'s registered key ({})",
                            path.display(),
                            key.public_key().fingerprint(HashAlg::Sha256),
                            public.fingerprint(HashAlg::Sha256)
                        ),
                        format!("sign with {editor}'s own key, or act as the editor whose key this is"),
                    ));
                }
                key.sign(namespace, HashAlg::Sha512, message).context("failed to sign")?
            }
            Signer::Agent(socket) => agent_sign(socket, namespace, editor, public, message)?,
        };
        signature.to_pem(LineEnding::LF).context("failed to write the signature")
    }
}

fn read_private_key(path: &Path) -> Result<PrivateKey> {
    let hint = "give the private key file made by `ssh-keygen -t ed25519` (the one without .pub)";
    let meta = std::fs::metadata(path)
        .map_err(|e| bad_hint(format!("cannot read the signing key `{}`: {e}", path.display()), hint))?;
    if !meta.is_file() || meta.len() > MAX_KEY_BYTES {
        return Err(bad_hint(format!("`{}` is not a private key file", path.display()), hint));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_hint(format!("cannot read the signing key `{}`: {e}", path.display()), hint))?;
    let key = PrivateKey::from_openssh(text.trim())
        .map_err(|_| bad_hint(format!("`{}` is not an OpenSSH private key", path.display()), hint))?;
    if key.is_encrypted() {
        return Err(bad_hint(
            format!("the signing key `{}` is protected by a passphrase", path.display()),
            "load it into ssh-agent (`ssh-add FILE`) and leave --signing-key and UOF_SIGNING_KEY unset",
        ));
    }
    Ok(key)
}

/// Parse an OpenSSH public key (`ssh-ed25519 AAAA… comment`), ed25519 only; returned without
/// its comment, as the registry stores it.
pub fn public_key(text: &str) -> Result<String> {
    let key = PublicKey::from_openssh(text.trim()).map_err(|_| {
        bad_hint("not an OpenSSH public key", "give the .pub file made by `ssh-keygen -t ed25519`")
    })?;
    if key.algorithm() != ssh_key::Algorithm::Ed25519 {
        return Err(bad_hint(
            format!("the key is {}, not ed25519", key.algorithm()),
            "make one with `ssh-keygen -t ed25519`",
        ));
    }
    let mut key = key;
    key.set_comment("");
    Ok(key.to_openssh().context("failed to write the key")?.trim().to_owned())
}

/// Check an armored signature of `message` against `key` (an OpenSSH public key).
pub fn verify(key: &str, message: &[u8], armored: &str) -> std::result::Result<(), String> {
    verify_in(NAMESPACE, key, message, armored)
}

/// Check an armored signature of `message` in `namespace` against `key`.
pub fn verify_in(
    namespace: &str,
    key: &str,
    message: &[u8],
    armored: &str,
) -> std::result::Result<(), String> {
    let key = PublicKey::from_openssh(key).map_err(|e| format!("the registered key is unreadable: {e}"))?;
    let signature = SshSig::from_pem(armored).map_err(|e| format!("the signature is unreadable: {e}"))?;
    if signature.namespace() != namespace {
        return Err(format!("the signature is for namespace {:?}, not {namespace:?}", signature.namespace()));
    }
    key.verify(namespace, message, &signature).map_err(|_| "the signature does not match".to_owned())
}

/// Ask ssh-agent to sign: SSH_AGENTC_SIGN_REQUEST (13) with the key's blob and the SSHSIG
/// signed data, answered by SSH_AGENT_SIGN_RESPONSE (14) or SSH_AGENT_FAILURE (5).
fn agent_sign(
    socket: &Path,
    namespace: &str,
    editor: &str,
    public: &PublicKey,
    message: &[u8],
) -> Result<SshSig> {
    let no_key = || {
        bad_hint(
            format!(
                "{editor} must sign their changes, and ssh-agent does not hold {editor}'s registered key"
            ),
            "add it with `ssh-add FILE`, or pass --signing-key FILE (or set UOF_SIGNING_KEY)",
        )
    };
    let mut stream = std::os::unix::net::UnixStream::connect(socket).map_err(|_| no_key())?;
    // the write lock is held while the agent signs: do not keep other editors waiting long
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let data = SshSig::signed_data(namespace, HashAlg::Sha512, message).context("failed to sign")?;
    let blob = public.to_bytes().context("failed to encode the public key")?;
    let mut body = vec![13u8];
    for field in [&blob[..], &data[..]] {
        body.extend_from_slice(&(field.len() as u32).to_be_bytes());
        body.extend_from_slice(field);
    }
    body.extend_from_slice(&0u32.to_be_bytes());
    let mut request = (body.len() as u32).to_be_bytes().to_vec();
    request.extend_from_slice(&body);
    stream.write_all(&request).map_err(|_| no_key())?;
    let mut len = [0u8; 4];
    stream.read_exact(&mut len).map_err(|_| no_key())?;
    let len = u32::from_be_bytes(len) as usize;
    if len == 0 || len > 64 * 1024 {
        return Err(bad("ssh-agent gave an answer that is not a signature"));
    }
    let mut answer = vec![0u8; len];
    stream.read_exact(&mut answer).map_err(|_| no_key())?;
    if answer[0] != 14 {
        return Err(no_key());
    }
    let mut rest = &answer[1..];
    let signature = ssh_string(&mut rest)?;
    let mut inner = &signature[..];
    let algorithm = ssh_string(&mut inner)?;
    anyhow::ensure!(algorithm == b"ssh-ed25519", "ssh-agent signed with another algorithm");
    let bytes = ssh_string(&mut inner)?;
    let signature = ssh_key::Signature::new(ssh_key::Algorithm::Ed25519, bytes)?;
    Ok(SshSig::new(public.key_data().clone(), namespace, HashAlg::Sha512, signature)?)
}

/// Take one SSH wire-format string (a big-endian u32 length, then the bytes) off the front.
fn ssh_string(buf: &mut &[u8]) -> Result<Vec<u8>> {
    anyhow::ensure!(buf.len() >= 4, "a short answer from ssh-agent");
    let n = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    anyhow::ensure!(buf.len() - 4 >= n, "a short answer from ssh-agent");
    let value = buf[4..4 + n].to_vec();
    *buf = &buf[4 + n..];
    Ok(value)
}

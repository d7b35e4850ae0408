//! How a built charm binary is linked, read from its ELF headers: whether it asks for a
//! dynamic loader, and the newest glibc symbol version it needs (its `.gnu.version_r`
//! requirements), and whether it is position-independent (`ET_DYN`). `cargo xtask pack`
//! checks these against the bases the archive declares and the build it asked for, so that
//! "the binary runs there" and "nothing is relocated at start" are checked facts rather than
//! luck.

use std::fmt;
use std::fs;
use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use charm_pack::Base;

/// A glibc version, as its symbol versions name it (`GLIBC_2.2.5`, `GLIBC_2.34`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct GlibcVersion(pub(crate) u32, pub(crate) u32, pub(crate) u32);

impl GlibcVersion {
    /// `GLIBC_2.34` → 2.34; anything else (`GLIBC_PRIVATE`, `GCC_3.0`) → `None`.
    fn from_symbol_version(name: &str) -> Option<GlibcVersion> {
        let mut parts = name.strip_prefix("GLIBC_")?.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        if parts.next().is_some() {
            return None;
        }
        Some(GlibcVersion(major, minor, patch))
    }
}

impl fmt::Display for GlibcVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let GlibcVersion(major, minor, patch) = *self;
        write!(f, "{major}.{minor}")?;
        if patch != 0 {
            write!(f, ".{patch}")?;
        }
        Ok(())
    }
}

/// The glibc each base charm-pack may declare ships (Ubuntu's `libc6` package of the release).
const GLIBC_OF_BASE: &[(&str, &str, GlibcVersion)] = &[
    ("ubuntu", "20.04", GlibcVersion(2, 31, 0)),
    ("ubuntu", "22.04", GlibcVersion(2, 35, 0)),
    ("ubuntu", "24.04", GlibcVersion(2, 39, 0)),
];

fn glibc_of(base: &Base) -> Result<GlibcVersion> {
    GLIBC_OF_BASE
        .iter()
        .find(|(name, channel, _)| *name == base.name && *channel == base.channel)
        .map(|(_, _, glibc)| *glibc)
        .with_context(|| {
            format!(
                "which glibc {} {} ships is not known to xtask (linkage.rs GLIBC_OF_BASE): \
                 add it before declaring that base",
                base.name, base.channel
            )
        })
}

/// Of the bases an archive declares, the one with the oldest glibc: a binary that runs there
/// runs on all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OldestBase {
    name: String,
    glibc: GlibcVersion,
}

impl OldestBase {
    pub(crate) fn of(bases: &[Base]) -> Result<OldestBase> {
        let mut oldest: Option<OldestBase> = None;
        for base in bases {
            let glibc = glibc_of(base)?;
            if oldest.as_ref().is_none_or(|known| glibc < known.glibc) {
                oldest = Some(OldestBase {
                    name: format!("{} {}", base.name, base.channel),
                    glibc,
                });
            }
        }
        oldest.context("no base is declared")
    }
}

impl fmt::Display for OldestBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, glibc {}", self.name, self.glibc)
    }
}

/// What the ELF headers of a binary say about how it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Linkage {
    /// The dynamic loader it asks for (`PT_INTERP`); `None` for a static binary.
    pub(crate) interpreter: Option<String>,
    /// The newest `GLIBC_*` symbol version it requires; `None` when it requires none.
    pub(crate) glibc: Option<GlibcVersion>,
    /// `ET_DYN` (a PIE, which relocates itself at every start) rather than `ET_EXEC`.
    pub(crate) position_independent: bool,
}

impl Linkage {
    pub(crate) fn read(path: &Path) -> Result<Linkage> {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Linkage::parse(&bytes)
            .with_context(|| format!("reading the ELF headers of {}", path.display()))
    }

    pub(crate) fn is_static(&self) -> bool {
        self.interpreter.is_none() && self.glibc.is_none()
    }

    /// Whether the binary starts on `oldest` (and so on every base declared): what to say
    /// about it when it does, why not when it does not. A static build must have come out
    /// static and position-dependent (see `pack`'s `STATIC_RUSTFLAGS`); a glibc-linked one
    /// must need no newer glibc than `oldest` ships.
    pub(crate) fn runs_on(
        &self,
        oldest: &OldestBase,
        built_static: bool,
    ) -> Result<String, String> {
        match self.glibc {
            _ if built_static && !self.is_static() => Err(format!(
                "it is not static (loader {:?}, glibc {:?})",
                self.interpreter, self.glibc
            )),
            _ if built_static && self.position_independent => Err(
                "it is a static PIE: it would relocate itself at every start (was the \
                 relocation model overridden, e.g. by RUSTFLAGS?)"
                    .to_owned(),
            ),
            _ if built_static => {
                Ok("static and position-dependent (no loader, no glibc, no relocation)".to_owned())
            }
            Some(needed) if needed > oldest.glibc => Err(format!(
                "it needs glibc >= {needed}, and {} ships glibc {}: it would not start there",
                oldest.name, oldest.glibc
            )),
            Some(needed) => Ok(format!(
                "needs glibc >= {needed}; runs on {oldest} and every newer base"
            )),
            None => Ok(format!(
                "needs no versioned glibc symbol; runs on {oldest} and every newer base"
            )),
        }
    }

    /// Parses a little-endian ELF64 file (what x86-64 builds are): the program headers for
    /// `PT_INTERP`, the section headers for the version-needs section and its string table.
    fn parse(elf: &[u8]) -> Result<Linkage> {
        ensure!(elf.get(..4) == Some(b"\x7fELF"), "not an ELF file");
        ensure!(
            elf.get(4) == Some(&2) && elf.get(5) == Some(&1),
            "not a little-endian 64-bit ELF file"
        );
        let interpreter = program_headers(elf)?
            .find(|header| header.kind == PT_INTERP)
            .map(|header| {
                let bytes = slice(elf, header.offset, header.size)?;
                Ok::<_, anyhow::Error>(c_string(bytes).to_owned())
            })
            .transpose()?;
        let sections: Vec<Section> = section_headers(elf)?.collect();
        let mut glibc = None;
        for verneed in sections.iter().filter(|s| s.kind == SHT_GNU_VERNEED) {
            let strings = sections
                .get(usize::try_from(verneed.link)?)
                .context("the version-needs section links to no string table")?;
            let strings = slice(elf, strings.offset, strings.size)?;
            let table = slice(elf, verneed.offset, verneed.size)?;
            for name in needed_versions(table, strings, verneed.info)? {
                glibc = glibc.max(GlibcVersion::from_symbol_version(name));
            }
        }
        let position_independent = slice(elf, 16, 2)? == ET_DYN.to_le_bytes();
        Ok(Linkage {
            interpreter,
            glibc,
            position_independent,
        })
    }
}

const PT_INTERP: u32 = 3;
const ET_DYN: u16 = 3;
const SHT_GNU_VERNEED: u32 = 0x6fff_fffe;

struct ProgramHeader {
    kind: u32,
    offset: u64,
    size: u64,
}

struct Section {
    kind: u32,
    offset: u64,
    size: u64,
    link: u32,
    info: u32,
}

fn program_headers(elf: &[u8]) -> Result<impl Iterator<Item = ProgramHeader> + '_> {
    let table = table(
        elf,
        u64_at(elf, 0x20)?,
        u16_at(elf, 0x36)?,
        u16_at(elf, 0x38)?,
    )?;
    Ok(table.map(|entry| ProgramHeader {
        kind: u32_at(entry, 0).unwrap_or_default(),
        offset: u64_at(entry, 8).unwrap_or_default(),
        size: u64_at(entry, 32).unwrap_or_default(),
    }))
}

fn section_headers(elf: &[u8]) -> Result<impl Iterator<Item = Section> + '_> {
    let table = table(
        elf,
        u64_at(elf, 0x28)?,
        u16_at(elf, 0x3a)?,
        u16_at(elf, 0x3c)?,
    )?;
    Ok(table.map(|entry| Section {
        kind: u32_at(entry, 4).unwrap_or_default(),
        offset: u64_at(entry, 24).unwrap_or_default(),
        size: u64_at(entry, 32).unwrap_or_default(),
        link: u32_at(entry, 40).unwrap_or_default(),
        info: u32_at(entry, 44).unwrap_or_default(),
    }))
}

/// The entries of a header table, each checked to lie inside the file.
fn table(
    elf: &[u8],
    offset: u64,
    entry_size: u16,
    count: u16,
) -> Result<impl Iterator<Item = &[u8]>> {
    let entry_size = u64::from(entry_size);
    let all = slice(elf, offset, entry_size * u64::from(count))?;
    // A zero entry size with a zero count is an empty table; chunks() refuses a size of 0.
    Ok(all.chunks(usize::try_from(entry_size.max(1))?))
}

/// The version names of every `Elfxx_Vernaux` of every `Elfxx_Verneed` (`count` of them,
/// chained by their `next` offsets).
fn needed_versions<'a>(table: &'a [u8], strings: &'a [u8], count: u32) -> Result<Vec<&'a str>> {
    let mut names = Vec::new();
    let mut need = 0usize;
    for _ in 0..count {
        let aux_count = u16_at(table, need + 2)?;
        let mut aux = need + usize::try_from(u32_at(table, need + 8)?)?;
        for _ in 0..aux_count {
            let name = usize::try_from(u32_at(table, aux + 8)?)?;
            let name = strings
                .get(name..)
                .context("a version name lies outside the string table")?;
            names.push(c_string(name));
            aux += usize::try_from(u32_at(table, aux + 12)?)?;
        }
        need += usize::try_from(u32_at(table, need + 12)?)?;
    }
    Ok(names)
}

fn slice(elf: &[u8], offset: u64, size: u64) -> Result<&[u8]> {
    let start = usize::try_from(offset)?;
    let end = start.checked_add(usize::try_from(size)?);
    match end.and_then(|end| elf.get(start..end)) {
        Some(bytes) => Ok(bytes),
        None => bail!("a table at offset {offset} of {size} bytes lies outside the file"),
    }
}

fn c_string(bytes: &[u8]) -> &str {
    let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
    std::str::from_utf8(&bytes[..end]).unwrap_or_default()
}

fn field<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N]> {
    bytes
        .get(at..at + N)
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("truncated: no {N}-byte field at offset {at}"))
}

fn u16_at(bytes: &[u8], at: usize) -> Result<u16> {
    field(bytes, at).map(u16::from_le_bytes)
}

fn u32_at(bytes: &[u8], at: usize) -> Result<u32> {
    field(bytes, at).map(u32::from_le_bytes)
}

fn u64_at(bytes: &[u8], at: usize) -> Result<u64> {
    field(bytes, at).map(u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_symbol_versions_are_read_and_ordered_numerically() {
        let v = GlibcVersion::from_symbol_version;
        assert_eq!(v("GLIBC_2.34"), Some(GlibcVersion(2, 34, 0)));
        assert_eq!(v("GLIBC_2.2.5"), Some(GlibcVersion(2, 2, 5)));
        assert_eq!(v("GLIBC_PRIVATE"), None);
        assert_eq!(v("GCC_3.0"), None);
        assert!(v("GLIBC_2.9") < v("GLIBC_2.10"));
        assert!(v("GLIBC_2.2.5") < v("GLIBC_2.3"));
        assert_eq!(GlibcVersion(2, 2, 5).to_string(), "2.2.5");
        assert_eq!(GlibcVersion(2, 34, 0).to_string(), "2.34");
    }

    #[test]
    fn this_test_binary_is_dynamic_and_needs_a_glibc() {
        // Built for the host (x86_64-unknown-linux-gnu): it has a loader and glibc versions.
        let linkage = Linkage::read(&std::env::current_exe().unwrap()).unwrap();
        let interpreter = linkage.interpreter.clone().unwrap();
        assert!(interpreter.contains("ld-linux"), "{interpreter}");
        assert!(
            linkage.glibc.unwrap() >= GlibcVersion(2, 2, 5),
            "{linkage:?}"
        );
        assert!(!linkage.is_static());
    }

    /// A minimal ELF64 file: `interpreter` as its `PT_INTERP`, and a version-needs section
    /// requiring `versions` of libc.so.6; `ET_DYN` as PIEs are.
    fn elf(interpreter: Option<&str>, versions: &[&str]) -> Vec<u8> {
        let mut strings = b"\0libc.so.6\0".to_vec();
        let mut aux_names = Vec::new();
        for version in versions {
            aux_names.push(u32::try_from(strings.len()).unwrap());
            strings.extend_from_slice(version.as_bytes());
            strings.push(0);
        }
        let mut verneed = Vec::new();
        if !versions.is_empty() {
            // Elf64_Verneed: version, count, file, aux offset, next.
            verneed.extend(1u16.to_le_bytes());
            verneed.extend(u16::try_from(versions.len()).unwrap().to_le_bytes());
            verneed.extend(1u32.to_le_bytes());
            verneed.extend(16u32.to_le_bytes());
            verneed.extend(0u32.to_le_bytes());
            for (i, name) in aux_names.iter().enumerate() {
                // Elf64_Vernaux: hash, flags, other, name, next.
                verneed.extend(0u32.to_le_bytes());
                verneed.extend(0u16.to_le_bytes());
                verneed.extend(2u16.to_le_bytes());
                verneed.extend(name.to_le_bytes());
                let next: u32 = if i + 1 == aux_names.len() { 0 } else { 16 };
                verneed.extend(next.to_le_bytes());
            }
        }
        let interp = interpreter.map(|i| format!("{i}\0").into_bytes());
        let phnum = u16::from(interp.is_some());
        // Layout: header, program headers, interpreter, strings, verneed, section headers.
        let interp_at = 64 + 56 * u64::from(phnum);
        let strings_at = interp_at + interp.as_ref().map_or(0, |i| i.len() as u64);
        let verneed_at = strings_at + strings.len() as u64;
        let sections_at = verneed_at + verneed.len() as u64;
        let mut out = b"\x7fELF\x02\x01\x01".to_vec();
        out.resize(64, 0);
        out[0x10..0x12].copy_from_slice(&ET_DYN.to_le_bytes());
        out[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
        out[0x28..0x30].copy_from_slice(&sections_at.to_le_bytes());
        out[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
        out[0x38..0x3a].copy_from_slice(&phnum.to_le_bytes());
        out[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        out[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        if let Some(interp) = &interp {
            let mut header = vec![0u8; 56];
            header[0..4].copy_from_slice(&PT_INTERP.to_le_bytes());
            header[8..16].copy_from_slice(&interp_at.to_le_bytes());
            header[32..40].copy_from_slice(&(interp.len() as u64).to_le_bytes());
            out.extend(header);
            out.extend(interp);
        }
        out.extend(&strings);
        out.extend(&verneed);
        let section = |kind: u32, offset: u64, size: usize, link: u32, info: u32| {
            let mut header = vec![0u8; 64];
            header[4..8].copy_from_slice(&kind.to_le_bytes());
            header[24..32].copy_from_slice(&offset.to_le_bytes());
            header[32..40].copy_from_slice(&(size as u64).to_le_bytes());
            header[40..44].copy_from_slice(&link.to_le_bytes());
            header[44..48].copy_from_slice(&info.to_le_bytes());
            header
        };
        out.extend(section(0, 0, 0, 0, 0));
        out.extend(section(3, strings_at, strings.len(), 0, 0));
        let needs = u32::from(!versions.is_empty());
        out.extend(section(
            SHT_GNU_VERNEED,
            verneed_at,
            verneed.len(),
            1,
            needs,
        ));
        out
    }

    #[test]
    fn the_newest_glibc_version_required_is_found() {
        let dynamic = elf(
            Some("/lib64/ld-linux-x86-64.so.2"),
            &["GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_PRIVATE", "GLIBC_2.14"],
        );
        assert_eq!(
            Linkage::parse(&dynamic).unwrap(),
            Linkage {
                interpreter: Some("/lib64/ld-linux-x86-64.so.2".to_owned()),
                glibc: Some(GlibcVersion(2, 34, 0)),
                position_independent: true,
            }
        );
    }

    #[test]
    fn a_binary_without_loader_or_glibc_versions_is_static() {
        let linkage = Linkage::parse(&elf(None, &[])).unwrap();
        assert!(linkage.is_static(), "{linkage:?}");
        // A loader alone (a dynamic musl binary) is not static either.
        assert!(!Linkage::parse(&elf(Some("/lib/ld-musl-x86_64.so.1"), &[]))
            .unwrap()
            .is_static());
    }

    #[test]
    fn the_elf_type_says_whether_it_is_position_independent() {
        let mut exe = elf(None, &[]);
        assert!(Linkage::parse(&exe).unwrap().position_independent);
        exe[0x10..0x12].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        assert!(!Linkage::parse(&exe).unwrap().position_independent);
    }

    #[test]
    fn what_is_not_elf_is_refused() {
        assert!(Linkage::parse(b"#!/bin/sh\n").is_err());
        let mut truncated = b"\x7fELF\x02\x01\x01".to_vec();
        truncated.resize(0x30, 0);
        let error = Linkage::parse(&truncated).unwrap_err().to_string();
        assert!(error.contains("truncated"), "{error}");
    }

    fn base(channel: &'static str) -> Base {
        Base {
            name: "ubuntu",
            channel,
            architectures: &["amd64"],
        }
    }

    #[test]
    fn every_declared_base_has_a_known_glibc_and_the_oldest_is_found() {
        let oldest = OldestBase::of(charm_pack::BASES).unwrap();
        assert_eq!(oldest.to_string(), "ubuntu 22.04, glibc 2.35");
        let oldest = OldestBase::of(&[base("24.04"), base("20.04"), base("22.04")]).unwrap();
        assert_eq!(oldest.to_string(), "ubuntu 20.04, glibc 2.31");
        let error = OldestBase::of(&[base("22.04"), base("18.04")])
            .unwrap_err()
            .to_string();
        assert!(error.contains("ubuntu 18.04"), "{error}");
        assert!(OldestBase::of(&[]).is_err());
    }

    #[test]
    fn a_glibc_binary_runs_only_where_its_glibc_is() {
        let jammy = OldestBase::of(&[base("22.04")]).unwrap();
        let needing = |glibc| Linkage {
            interpreter: Some("/lib64/ld-linux-x86-64.so.2".to_owned()),
            glibc: Some(glibc),
            position_independent: true,
        };
        // Today's binaries, built on Debian 12, need 2.34: 22.04's 2.35 has it.
        assert_eq!(
            needing(GlibcVersion(2, 34, 0)).runs_on(&jammy, false),
            Ok(
                "needs glibc >= 2.34; runs on ubuntu 22.04, glibc 2.35 and every newer base"
                    .to_owned()
            )
        );
        // Built on a newer machine, they would not start there.
        let error = needing(GlibcVersion(2, 39, 0))
            .runs_on(&jammy, false)
            .unwrap_err();
        assert_eq!(
            error,
            "it needs glibc >= 2.39, and ubuntu 22.04 ships glibc 2.35: it would not start there"
        );
    }

    #[test]
    fn a_static_build_must_come_out_static() {
        let jammy = OldestBase::of(&[base("22.04")]).unwrap();
        let static_binary = Linkage {
            interpreter: None,
            glibc: None,
            position_independent: false,
        };
        assert!(static_binary.runs_on(&jammy, true).is_ok());
        let dynamic = Linkage {
            interpreter: Some("/lib/ld-musl-x86_64.so.1".to_owned()),
            glibc: None,
            position_independent: true,
        };
        let error = dynamic.runs_on(&jammy, true).unwrap_err();
        assert!(error.starts_with("it is not static"), "{error}");
        // Rust's default for the musl target: static, but relocating itself at every start.
        let static_pie = Linkage {
            position_independent: true,
            ..static_binary
        };
        let error = static_pie.runs_on(&jammy, true).unwrap_err();
        assert!(error.starts_with("it is a static PIE"), "{error}");
    }
}

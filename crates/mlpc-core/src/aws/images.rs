//! Offline resolution of AWS-published SageMaker framework *training* container
//! images, the way the SageMaker Python SDK's `sagemaker.image_uris.retrieve`
//! (with `image_scope="training"`) does it, but without network access or the SDK.
//!
//! `image xgboost = sagemaker_image("xgboost", "1.5-1")` in a pipeline resolves,
//! for the pipeline's `region`, through [`sagemaker_image_uri`] to
//! `683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.5-1`.
//!
//! # Where the data came from
//!
//! Transcribed by hand into the `static` tables below (nothing is parsed at run
//! time, so nothing can fail) from the `training` sections of the SDK's
//! `image_uri_config` files in `aws/sagemaker-python-sdk`:
//! `sagemaker-core/src/sagemaker/core/image_uri_config/{xgboost,sklearn,pytorch,tensorflow}.json`
//! (the SDK v3 copy, newer than and a superset of
//! `src/sagemaker/image_uri_config/*.json`), and from `image_uris.py` for how a
//! URI is put together: `{account}.dkr.{ecr hostname}/{repository}:{tag}`, the tag
//! being `{version}[-{processor}][-{py_version}]`, the hostname being
//! `ecr.{region}.{partition DNS suffix}` (botocore's `construct_endpoint("ecr")`),
//! with the suffixes of the AWS partitions file (`amazonaws.com.cn` for `cn-*`,
//! `c2s.ic.gov`, `sc2s.sgov.gov`, `csp.hci.ic.gov`, `cloud.adc-e.uk`,
//! `amazonaws.eu`).
//!
//! # What is covered
//!
//! Training images only, in every region the SDK lists for each version:
//!
//! * `xgboost`: `1` (the legacy built-in algorithm image, repository `xgboost`,
//!   alias `latest`), `0.90-1`, `0.90-2`, `1.0-1` (tag `…-cpu-py3`), `1.2-1`,
//!   `1.2-2`, `1.3-1`, `1.5-1`, `1.7-1`, `3.0-5`, `3.2-0` (tag = version).
//! * `sklearn`: `0.20.0`, `0.23-1`, `1.0-1`, `1.2-1`, `1.4-2`, `1.4-2-py312`
//!   (tag `{version}-cpu-py3`; there is no GPU image).
//! * `pytorch` (`pytorch-training`): `1.9.0` … `2.10.0` (every version from 1.9.0
//!   on), aliases `1.9` … `2.10`.
//! * `tensorflow` (`tensorflow-training`): `2.2.0` … `2.21.0` (every version from
//!   2.2.0 on), aliases `2.2` … `2.21`.
//!
//! Older PyTorch/TensorFlow versions are left out: the SDK lists several Python
//! versions for them (`py2`/`py3`/`py36`) and has no default, so they cannot be
//! resolved without asking for one. Every version kept has exactly one Python
//! version in the SDK, which is the one used in the tag (e.g. `py310` for PyTorch
//! 2.1.0).
//!
//! # Where this differs from the SDK
//!
//! * An alias resolves to its full version *in the tag*: `pytorch` `2.1` gives
//!   `pytorch-training:2.1.0-gpu-py310` (the SDK writes the alias itself,
//!   `2.1-gpu-py310`, a floating tag), and `xgboost` `latest` gives `xgboost:1`.
//!   Pinned tags keep compiled pipelines reproducible.
//! * The processor is named (`"cpu"`/`"gpu"`) instead of being derived from an
//!   instance type; it defaults to `"cpu"`. XGBoost 1.2-1 and later (and the legacy
//!   `1`) have one image for both; XGBoost before 1.2-1 and scikit-learn are CPU only.

use std::fmt;

/// A resolved image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageUri {
    /// The full image URI, e.g.
    /// `763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1.0-gpu-py310`.
    pub uri: String,
    /// The ECR registry (AWS account id) that publishes the image in the region.
    pub account: String,
    /// The ECR repository, e.g. `pytorch-training`.
    pub repository: String,
    /// The image tag, e.g. `2.1.0-gpu-py310`.
    pub tag: String,
    /// The full framework version the request resolved to (aliases expanded).
    pub version: String,
}

/// Why an image could not be resolved. Every `known` list is sorted (plain string
/// order) and free of duplicates, so messages are stable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageError {
    UnknownFramework {
        known: Vec<String>,
    },
    UnknownVersion {
        framework: String,
        known: Vec<String>,
    },
    UnknownRegion {
        framework: String,
        known: Vec<String>,
    },
    /// e.g. `"gpu"` for scikit-learn, or a word that is not a processor.
    UnknownProcessor {
        framework: String,
        known: Vec<String>,
    },
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::UnknownFramework { known } => {
                write!(f, "unknown SageMaker framework; known: {}", known.join(", "))
            }
            ImageError::UnknownVersion { framework, known } => {
                write!(f, "unknown `{framework}` version; known: {}", known.join(", "))
            }
            ImageError::UnknownRegion { framework, known } => {
                write!(f, "that `{framework}` image is not published in this region; known: {}", known.join(", "))
            }
            ImageError::UnknownProcessor { framework, known } => {
                write!(f, "unknown `{framework}` processor; known: {}", known.join(", "))
            }
        }
    }
}

impl std::error::Error for ImageError {}

/// Resolves the training image of `framework` at `version` (or a version alias)
/// for `processor` in `region`.
///
/// processor: None means the default ("cpu" for pytorch/tensorflow; xgboost/sklearn
/// have one image for both)
///
/// Framework, processor and region are trimmed and lower-cased; the version is
/// trimmed. Pure and deterministic: no I/O, the table is compiled in.
///
/// # Errors
///
/// [`ImageError`] when the framework, the version (or alias) of it, the region
/// for that version, or the processor for that version is not in the table; checked
/// in that order, as the SDK does.
pub fn sagemaker_image_uri(
    framework: &str,
    version: &str,
    processor: Option<&str>,
    region: &str,
) -> Result<ImageUri, ImageError> {
    let framework = framework.trim().to_ascii_lowercase();
    let Some(fw) = FRAMEWORKS.iter().find(|f| f.name == framework) else {
        return Err(ImageError::UnknownFramework { known: frameworks().into_iter().map(String::from).collect() });
    };
    let Some(v) = find_version(fw, version.trim()) else {
        return Err(ImageError::UnknownVersion { framework, known: known_versions(fw) });
    };
    let region = region.trim().to_ascii_lowercase();
    let Some(account) = account_for(v.regions, &region) else {
        return Err(ImageError::UnknownRegion { framework, known: known_regions(v.regions) });
    };
    let wanted = processor.map(|p| p.trim().to_ascii_lowercase());
    let processor_in_tag = match (v.procs, wanted.as_deref()) {
        (Procs::Shared, None | Some("cpu" | "gpu")) => None,
        (Procs::Cpu | Procs::CpuGpu, None | Some("cpu")) => Some("cpu"),
        (Procs::CpuGpu, Some("gpu")) => Some("gpu"),
        (procs, _) => {
            let known = match procs {
                Procs::Cpu => vec!["cpu".to_string()],
                Procs::Shared | Procs::CpuGpu => vec!["cpu".to_string(), "gpu".to_string()],
            };
            return Err(ImageError::UnknownProcessor { framework, known });
        }
    };
    let tag = [Some(v.version), processor_in_tag, v.py].into_iter().flatten().collect::<Vec<_>>().join("-");
    let uri = format!("{account}.dkr.ecr.{region}.{}/{}:{tag}", dns_suffix(&region), v.repository);
    Ok(ImageUri {
        uri,
        account: account.to_string(),
        repository: v.repository.to_string(),
        tag,
        version: v.version.to_string(),
    })
}

/// What [`identify`] finds an image URI to be: `sagemaker_image(framework, version,
/// processor)` in `region`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identified {
    pub framework: &'static str,
    pub version: &'static str,
    /// `Some("gpu")` when the GPU image was named; `None` for the default.
    pub processor: Option<&'static str>,
    pub region: String,
}

/// The reverse of [`sagemaker_image_uri`]: the framework, version and processor that
/// resolve to `uri` in the region its host names; `None` for any other image.
#[must_use]
pub fn identify(uri: &str) -> Option<Identified> {
    let (host, path) = uri.split_once('/')?;
    let (_, rest) = host.split_once(".dkr.ecr.")?;
    let region = rest.split('.').next()?.to_string();
    let (repository, _) = path.split_once(':')?;
    for fw in FRAMEWORKS {
        for v in fw.versions.iter().filter(|v| v.repository == repository) {
            for processor in [None, Some("gpu")] {
                if sagemaker_image_uri(fw.name, v.version, processor, &region).is_ok_and(|found| found.uri == uri) {
                    return Some(Identified { framework: fw.name, version: v.version, processor, region });
                }
            }
        }
    }
    None
}

/// The frameworks [`sagemaker_image_uri`] knows, sorted.
#[must_use]
pub fn frameworks() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = FRAMEWORKS.iter().map(|f| f.name).collect();
    names.sort_unstable();
    names
}

fn find_version(fw: &Framework, version: &str) -> Option<&'static Version> {
    let full = fw.aliases.iter().find(|(alias, _)| *alias == version).map_or(version, |(_, full)| *full);
    fw.versions.iter().find(|v| v.version == full)
}

fn known_versions(fw: &Framework) -> Vec<String> {
    let mut known: Vec<String> = fw
        .versions
        .iter()
        .map(|v| v.version)
        .chain(fw.aliases.iter().map(|(alias, _)| *alias))
        .map(String::from)
        .collect();
    known.sort();
    known.dedup();
    known
}

fn known_regions(regions: Regions) -> Vec<String> {
    let mut known: Vec<String> = region_accounts(regions).map(|(r, _)| r.to_string()).collect();
    known.sort();
    known.dedup();
    known
}

fn account_for(regions: Regions, region: &str) -> Option<&'static str> {
    region_accounts(regions).find(|(r, _)| *r == region).map(|(_, account)| account)
}

/// The (region, account) pairs of a registry set.
fn region_accounts(regions: Regions) -> impl Iterator<Item = (&'static str, &'static str)> {
    let (table, set): (&'static [(&'static str, &'static str, Class)], Option<DlcSet>) = match regions {
        Regions::Sagemaker => (SAGEMAKER_1P, None),
        Regions::XgboostAlgorithm => (XGBOOST_ALGORITHM, None),
        Regions::Dlc(set) => (DLC, Some(set)),
    };
    table.iter().filter(move |(_, _, class)| set.is_none_or(|s| s.has(*class))).map(|(r, a, _)| (*r, *a))
}

/// The DNS suffix of the AWS partition a region belongs to (botocore's endpoint
/// data; the ECR hostname is `ecr.{region}.{suffix}`).
fn dns_suffix(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-isof-") {
        "csp.hci.ic.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else if region.starts_with("eu-isoe-") {
        "cloud.adc-e.uk"
    } else if region.starts_with("eusc-") {
        "amazonaws.eu"
    } else {
        "amazonaws.com"
    }
}

// ---------------------------------------------------------------------------
// The table.

struct Framework {
    name: &'static str,
    versions: &'static [Version],
    /// (alias, full version), as the SDK's `version_aliases`.
    aliases: &'static [(&'static str, &'static str)],
}

struct Version {
    version: &'static str,
    repository: &'static str,
    /// The one Python version of the image, if the tag carries one.
    py: Option<&'static str>,
    procs: Procs,
    regions: Regions,
}

/// The SDK's `processors` for a version.
#[derive(Clone, Copy, Debug)]
enum Procs {
    /// No `processors` key: one image for CPU and GPU, processor not in the tag.
    Shared,
    /// `["cpu"]`: CPU only, `cpu` in the tag.
    Cpu,
    /// `["cpu", "gpu"]`: one image each, processor in the tag.
    CpuGpu,
}

/// Which registry map a version's `registries` is.
#[derive(Clone, Copy, Debug)]
enum Regions {
    /// The SageMaker first-party accounts (sagemaker-xgboost, sagemaker-scikit-learn).
    Sagemaker,
    /// The legacy built-in XGBoost algorithm accounts (`xgboost:1`).
    XgboostAlgorithm,
    /// The Deep Learning Containers accounts, restricted to the regions the SDK
    /// lists for that version.
    Dlc(DlcSet),
}

/// Regions differ between DLC versions only by whole groups of regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// Listed for every DLC version.
    Core,
    /// us-iso-east-1, us-isob-east-1.
    Iso,
    /// us-isof-east-1, us-isof-south-1.
    Isof,
    /// me-west-1.
    MeWest,
    /// eu-isoe-west-1, eusc-de-east-1.
    Sovereign,
}

#[derive(Clone, Copy, Debug)]
enum DlcSet {
    /// Core + Iso (40 regions).
    Base,
    /// Core + Iso + Isof.
    BaseIsof,
    /// Core only.
    NoIso,
    /// Core + MeWest.
    NoIsoMeWest,
    /// Every region.
    All,
}

impl DlcSet {
    fn has(self, class: Class) -> bool {
        match self {
            DlcSet::Base => matches!(class, Class::Core | Class::Iso),
            DlcSet::BaseIsof => matches!(class, Class::Core | Class::Iso | Class::Isof),
            DlcSet::NoIso => class == Class::Core,
            DlcSet::NoIsoMeWest => matches!(class, Class::Core | Class::MeWest),
            DlcSet::All => true,
        }
    }
}

use Class::{Core, Iso, Isof, MeWest, Sovereign};

/// `sagemaker-xgboost` / `sagemaker-scikit-learn` registries (the same for every
/// version of both in the SDK's newest files).
static SAGEMAKER_1P: &[(&str, &str, Class)] = &[
    ("af-south-1", "510948584623", Core),
    ("ap-east-1", "651117190479", Core),
    ("ap-northeast-1", "354813040037", Core),
    ("ap-northeast-2", "366743142698", Core),
    ("ap-northeast-3", "867004704886", Core),
    ("ap-south-1", "720646828776", Core),
    ("ap-south-2", "628508329040", Core),
    ("ap-southeast-1", "121021644041", Core),
    ("ap-southeast-2", "783357654285", Core),
    ("ap-southeast-3", "951798379941", Core),
    ("ap-southeast-4", "106583098589", Core),
    ("ca-central-1", "341280168497", Core),
    ("ca-west-1", "190319476487", Core),
    ("cn-north-1", "450853457545", Core),
    ("cn-northwest-1", "451049120500", Core),
    ("eu-central-1", "492215442770", Core),
    ("eu-central-2", "680994064768", Core),
    ("eu-north-1", "662702820516", Core),
    ("eu-south-1", "978288397137", Core),
    ("eu-south-2", "104374241257", Core),
    ("eu-west-1", "141502667606", Core),
    ("eu-west-2", "764974769150", Core),
    ("eu-west-3", "659782779980", Core),
    ("il-central-1", "898809789911", Core),
    ("me-central-1", "272398656194", Core),
    ("me-south-1", "801668240914", Core),
    ("sa-east-1", "737474898029", Core),
    ("us-east-1", "683313688378", Core),
    ("us-east-2", "257758044811", Core),
    ("us-gov-east-1", "237065988967", Core),
    ("us-gov-west-1", "414596584902", Core),
    ("us-iso-east-1", "833128469047", Core),
    ("us-isob-east-1", "281123927165", Core),
    ("us-isof-east-1", "108575199400", Core),
    ("us-isof-south-1", "124985052026", Core),
    ("us-west-1", "746614075791", Core),
    ("us-west-2", "246618743249", Core),
];

/// The legacy built-in algorithm `xgboost` repository (version `1`).
static XGBOOST_ALGORITHM: &[(&str, &str, Class)] = &[
    ("af-south-1", "455444449433", Core),
    ("ap-east-1", "286214385809", Core),
    ("ap-northeast-1", "501404015308", Core),
    ("ap-northeast-2", "306986355934", Core),
    ("ap-northeast-3", "867004704886", Core),
    ("ap-south-1", "991648021394", Core),
    ("ap-south-2", "628508329040", Core),
    ("ap-southeast-1", "475088953585", Core),
    ("ap-southeast-2", "544295431143", Core),
    ("ap-southeast-3", "951798379941", Core),
    ("ap-southeast-4", "106583098589", Core),
    ("ca-central-1", "469771592824", Core),
    ("cn-north-1", "390948362332", Core),
    ("cn-northwest-1", "387376663083", Core),
    ("eu-central-1", "813361260812", Core),
    ("eu-central-2", "680994064768", Core),
    ("eu-north-1", "669576153137", Core),
    ("eu-south-1", "257386234256", Core),
    ("eu-south-2", "104374241257", Core),
    ("eu-west-1", "685385470294", Core),
    ("eu-west-2", "644912444149", Core),
    ("eu-west-3", "749696950732", Core),
    ("me-central-1", "272398656194", Core),
    ("me-south-1", "249704162688", Core),
    ("sa-east-1", "855470959533", Core),
    ("us-east-1", "811284229777", Core),
    ("us-east-2", "825641698319", Core),
    ("us-gov-east-1", "237065988967", Core),
    ("us-gov-west-1", "226302683700", Core),
    ("us-iso-east-1", "490574956308", Core),
    ("us-isob-east-1", "765400339828", Core),
    ("us-west-1", "632365934929", Core),
    ("us-west-2", "433757028032", Core),
];

/// Deep Learning Containers registries (`pytorch-training`, `tensorflow-training`);
/// a region's account is the same for every version that lists the region.
static DLC: &[(&str, &str, Class)] = &[
    ("af-south-1", "626614931356", Core),
    ("ap-east-1", "871362719292", Core),
    ("ap-east-2", "975050140332", Core),
    ("ap-northeast-1", "763104351884", Core),
    ("ap-northeast-2", "763104351884", Core),
    ("ap-northeast-3", "364406365360", Core),
    ("ap-south-1", "763104351884", Core),
    ("ap-south-2", "772153158452", Core),
    ("ap-southeast-1", "763104351884", Core),
    ("ap-southeast-2", "763104351884", Core),
    ("ap-southeast-3", "907027046896", Core),
    ("ap-southeast-4", "457447274322", Core),
    ("ap-southeast-5", "550225433462", Core),
    ("ap-southeast-6", "633930458069", Core),
    ("ap-southeast-7", "590183813437", Core),
    ("ca-central-1", "763104351884", Core),
    ("ca-west-1", "204538143572", Core),
    ("cn-north-1", "727897471807", Core),
    ("cn-northwest-1", "727897471807", Core),
    ("eu-central-1", "763104351884", Core),
    ("eu-central-2", "380420809688", Core),
    ("eu-isoe-west-1", "371248457586", Sovereign),
    ("eu-north-1", "763104351884", Core),
    ("eu-south-1", "692866216735", Core),
    ("eu-south-2", "503227376785", Core),
    ("eu-west-1", "763104351884", Core),
    ("eu-west-2", "763104351884", Core),
    ("eu-west-3", "763104351884", Core),
    ("eusc-de-east-1", "204133271717", Sovereign),
    ("il-central-1", "780543022126", Core),
    ("me-central-1", "914824155844", Core),
    ("me-south-1", "217643126080", Core),
    ("me-west-1", "124382933778", MeWest),
    ("mx-central-1", "637423239942", Core),
    ("sa-east-1", "763104351884", Core),
    ("us-east-1", "763104351884", Core),
    ("us-east-2", "763104351884", Core),
    ("us-gov-east-1", "446045086412", Core),
    ("us-gov-west-1", "442386744353", Core),
    ("us-iso-east-1", "886529160074", Iso),
    ("us-isob-east-1", "094389454867", Iso),
    ("us-isof-east-1", "303241398832", Isof),
    ("us-isof-south-1", "454834333376", Isof),
    ("us-west-1", "763104351884", Core),
    ("us-west-2", "763104351884", Core),
];

static FRAMEWORKS: &[Framework] = &[
    Framework { name: "xgboost", versions: XGBOOST, aliases: &[("latest", "1")] },
    Framework { name: "sklearn", versions: SKLEARN, aliases: &[] },
    Framework { name: "pytorch", versions: PYTORCH, aliases: PYTORCH_ALIASES },
    Framework { name: "tensorflow", versions: TENSORFLOW, aliases: TENSORFLOW_ALIASES },
];

const fn xgb(version: &'static str, procs: Procs, py: Option<&'static str>) -> Version {
    Version { version, repository: "sagemaker-xgboost", py, procs, regions: Regions::Sagemaker }
}

const fn sklearn(version: &'static str) -> Version {
    Version {
        version,
        repository: "sagemaker-scikit-learn",
        py: Some("py3"),
        procs: Procs::Cpu,
        regions: Regions::Sagemaker,
    }
}

const fn pt(version: &'static str, py: &'static str, set: DlcSet) -> Version {
    Version { version, repository: "pytorch-training", py: Some(py), procs: Procs::CpuGpu, regions: Regions::Dlc(set) }
}

const fn tf(version: &'static str, py: &'static str, set: DlcSet) -> Version {
    Version {
        version,
        repository: "tensorflow-training",
        py: Some(py),
        procs: Procs::CpuGpu,
        regions: Regions::Dlc(set),
    }
}

static XGBOOST: &[Version] = &[
    Version { version: "1", repository: "xgboost", py: None, procs: Procs::Shared, regions: Regions::XgboostAlgorithm },
    xgb("0.90-1", Procs::Cpu, Some("py3")),
    xgb("0.90-2", Procs::Cpu, Some("py3")),
    xgb("1.0-1", Procs::Cpu, Some("py3")),
    xgb("1.2-1", Procs::Shared, None),
    xgb("1.2-2", Procs::Shared, None),
    xgb("1.3-1", Procs::Shared, None),
    xgb("1.5-1", Procs::Shared, None),
    xgb("1.7-1", Procs::Shared, None),
    xgb("3.0-5", Procs::Shared, None),
    xgb("3.2-0", Procs::Shared, None),
];

static SKLEARN: &[Version] = &[
    sklearn("0.20.0"),
    sklearn("0.23-1"),
    sklearn("1.0-1"),
    sklearn("1.2-1"),
    sklearn("1.4-2"),
    sklearn("1.4-2-py312"),
];

static PYTORCH: &[Version] = &[
    pt("1.9.0", "py38", DlcSet::Base),
    pt("1.9.1", "py38", DlcSet::Base),
    pt("1.10.0", "py38", DlcSet::Base),
    pt("1.10.2", "py38", DlcSet::Base),
    pt("1.11.0", "py38", DlcSet::Base),
    pt("1.12.0", "py38", DlcSet::Base),
    pt("1.12.1", "py38", DlcSet::Base),
    pt("1.13.1", "py39", DlcSet::Base),
    pt("2.0.0", "py310", DlcSet::Base),
    pt("2.0.1", "py310", DlcSet::Base),
    pt("2.1.0", "py310", DlcSet::BaseIsof),
    pt("2.2.0", "py310", DlcSet::BaseIsof),
    pt("2.3.0", "py311", DlcSet::BaseIsof),
    pt("2.4.0", "py311", DlcSet::NoIso),
    pt("2.5.1", "py311", DlcSet::NoIso),
    pt("2.6.0", "py312", DlcSet::NoIso),
    pt("2.7.1", "py312", DlcSet::NoIso),
    pt("2.8.0", "py312", DlcSet::NoIsoMeWest),
    pt("2.9.0", "py312", DlcSet::All),
    pt("2.10.0", "py313", DlcSet::All),
];

static PYTORCH_ALIASES: &[(&str, &str)] = &[
    ("1.9", "1.9.1"),
    ("1.10", "1.10.2"),
    ("1.11", "1.11.0"),
    ("1.12", "1.12.1"),
    ("1.13", "1.13.1"),
    ("2.0", "2.0.1"),
    ("2.1", "2.1.0"),
    ("2.2", "2.2.0"),
    ("2.3", "2.3.0"),
    ("2.4", "2.4.0"),
    ("2.5", "2.5.1"),
    ("2.6", "2.6.0"),
    ("2.7", "2.7.1"),
    ("2.8", "2.8.0"),
    ("2.9", "2.9.0"),
    ("2.10", "2.10.0"),
];

static TENSORFLOW: &[Version] = &[
    tf("2.2.0", "py37", DlcSet::Base),
    tf("2.2.1", "py37", DlcSet::Base),
    tf("2.2.2", "py37", DlcSet::Base),
    tf("2.3.0", "py37", DlcSet::Base),
    tf("2.3.1", "py37", DlcSet::Base),
    tf("2.3.2", "py37", DlcSet::Base),
    tf("2.4.1", "py37", DlcSet::Base),
    tf("2.4.3", "py37", DlcSet::Base),
    tf("2.5.0", "py37", DlcSet::Base),
    tf("2.5.1", "py37", DlcSet::Base),
    tf("2.6.0", "py38", DlcSet::Base),
    tf("2.6.2", "py38", DlcSet::Base),
    tf("2.6.3", "py38", DlcSet::Base),
    tf("2.7.1", "py38", DlcSet::Base),
    tf("2.8.0", "py39", DlcSet::Base),
    tf("2.9.2", "py39", DlcSet::Base),
    tf("2.10.1", "py39", DlcSet::Base),
    tf("2.11.0", "py39", DlcSet::Base),
    tf("2.12.0", "py310", DlcSet::NoIso),
    tf("2.13.0", "py310", DlcSet::BaseIsof),
    tf("2.14.1", "py310", DlcSet::BaseIsof),
    tf("2.16.2", "py310", DlcSet::NoIso),
    tf("2.18.0", "py310", DlcSet::NoIso),
    tf("2.19.0", "py312", DlcSet::NoIso),
    tf("2.21.0", "py312", DlcSet::All),
];

static TENSORFLOW_ALIASES: &[(&str, &str)] = &[
    ("2.2", "2.2.2"),
    ("2.3", "2.3.2"),
    ("2.4", "2.4.3"),
    ("2.5", "2.5.1"),
    ("2.6", "2.6.3"),
    ("2.7", "2.7.1"),
    ("2.8", "2.8.0"),
    ("2.9", "2.9.2"),
    ("2.10", "2.10.1"),
    ("2.11", "2.11.0"),
    ("2.12", "2.12.0"),
    ("2.13", "2.13.0"),
    ("2.14", "2.14.1"),
    ("2.16", "2.16.2"),
    ("2.18", "2.18.0"),
    ("2.19", "2.19.0"),
    ("2.21", "2.21.0"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(framework: &str, version: &str, processor: Option<&str>, region: &str) -> String {
        match sagemaker_image_uri(framework, version, processor, region) {
            Ok(image) => image.uri,
            Err(err) => format!("error: {err}"),
        }
    }

    fn err(framework: &str, version: &str, processor: Option<&str>, region: &str) -> Option<ImageError> {
        sagemaker_image_uri(framework, version, processor, region).err()
    }

    #[test]
    fn identify_is_the_reverse_of_resolving_for_every_version_in_every_region() {
        let mut checked = 0;
        for fw in FRAMEWORKS {
            for v in fw.versions {
                for (region, _) in region_accounts(v.regions) {
                    for processor in [None, Some("gpu")] {
                        let Ok(image) = sagemaker_image_uri(fw.name, v.version, processor, region) else { continue };
                        let found = identify(&image.uri).unwrap_or_else(|| panic!("{} not identified", image.uri));
                        let again = sagemaker_image_uri(found.framework, found.version, found.processor, &found.region);
                        assert_eq!(again.map(|i| i.uri), Ok(image.uri.clone()), "{found:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
        assert_eq!(identify("123456789012.dkr.ecr.us-east-1.amazonaws.com/prep:1"), None);
        assert_eq!(identify("python:3.11"), None);
    }

    #[test]
    fn xgboost() {
        assert_eq!(
            uri("xgboost", "1.5-1", None, "us-east-1"),
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.5-1"
        );
        // One image for CPU and GPU from 1.2-1 on.
        assert_eq!(
            uri("xgboost", "1.7-1", Some("gpu"), "eu-west-1"),
            "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.7-1"
        );
        assert_eq!(
            uri("xgboost", "1.0-1", None, "us-west-2"),
            "246618743249.dkr.ecr.us-west-2.amazonaws.com/sagemaker-xgboost:1.0-1-cpu-py3"
        );
        assert_eq!(
            uri("xgboost", "latest", None, "us-east-1"),
            "811284229777.dkr.ecr.us-east-1.amazonaws.com/xgboost:1"
        );
        assert_eq!(
            uri("xgboost", "3.0-5", None, "il-central-1"),
            "898809789911.dkr.ecr.il-central-1.amazonaws.com/sagemaker-xgboost:3.0-5"
        );
    }

    #[test]
    fn sklearn() {
        assert_eq!(
            uri("sklearn", "1.2-1", None, "eu-west-1"),
            "141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
        );
        assert_eq!(
            uri("sklearn", "0.20.0", Some("cpu"), "us-east-1"),
            "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:0.20.0-cpu-py3"
        );
    }

    #[test]
    fn pytorch() {
        let image = sagemaker_image_uri("pytorch", "2.1", Some("gpu"), "us-west-2");
        assert_eq!(
            image,
            Ok(ImageUri {
                uri: "763104351884.dkr.ecr.us-west-2.amazonaws.com/pytorch-training:2.1.0-gpu-py310".into(),
                account: "763104351884".into(),
                repository: "pytorch-training".into(),
                tag: "2.1.0-gpu-py310".into(),
                version: "2.1.0".into(),
            })
        );
        assert_eq!(
            uri("pytorch", "2.1.0", None, "us-east-1"),
            "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.1.0-cpu-py310"
        );
        assert_eq!(
            uri("pytorch", "1.13", Some("cpu"), "af-south-1"),
            "626614931356.dkr.ecr.af-south-1.amazonaws.com/pytorch-training:1.13.1-cpu-py39"
        );
        assert_eq!(
            uri("pytorch", "2.10", Some("gpu"), "eusc-de-east-1"),
            "204133271717.dkr.ecr.eusc-de-east-1.amazonaws.eu/pytorch-training:2.10.0-gpu-py313"
        );
    }

    #[test]
    fn tensorflow() {
        assert_eq!(
            uri("tensorflow", "2.13.0", Some("cpu"), "eu-central-1"),
            "763104351884.dkr.ecr.eu-central-1.amazonaws.com/tensorflow-training:2.13.0-cpu-py310"
        );
        assert_eq!(
            uri("tensorflow", "2.9", Some("gpu"), "us-gov-west-1"),
            "442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/tensorflow-training:2.9.2-gpu-py39"
        );
        assert_eq!(
            uri("tensorflow", "2.11.0", None, "us-iso-east-1"),
            "886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/tensorflow-training:2.11.0-cpu-py39"
        );
    }

    #[test]
    fn china_and_other_partitions() {
        assert_eq!(
            uri("xgboost", "1.5-1", None, "cn-north-1"),
            "450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.5-1"
        );
        assert_eq!(
            uri("pytorch", "2.1", Some("gpu"), "cn-northwest-1"),
            "727897471807.dkr.ecr.cn-northwest-1.amazonaws.com.cn/pytorch-training:2.1.0-gpu-py310"
        );
        assert_eq!(
            uri("sklearn", "1.2-1", None, "us-isob-east-1"),
            "281123927165.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/sagemaker-scikit-learn:1.2-1-cpu-py3"
        );
        assert_eq!(
            uri("pytorch", "2.3", None, "us-isof-south-1"),
            "454834333376.dkr.ecr.us-isof-south-1.csp.hci.ic.gov/pytorch-training:2.3.0-cpu-py311"
        );
        assert_eq!(
            uri("tensorflow", "2.21", None, "eu-isoe-west-1"),
            "371248457586.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk/tensorflow-training:2.21.0-cpu-py312"
        );
    }

    #[test]
    fn unknown_framework() {
        let known = ["pytorch", "sklearn", "tensorflow", "xgboost"].map(String::from).to_vec();
        assert_eq!(err("mxnet", "1.8", None, "us-east-1"), Some(ImageError::UnknownFramework { known }));
        assert_eq!(frameworks(), vec!["pytorch", "sklearn", "tensorflow", "xgboost"]);
    }

    #[test]
    fn unknown_version() {
        let Some(ImageError::UnknownVersion { framework, known }) = err("xgboost", "9.9-9", None, "us-east-1") else {
            unreachable!("expected UnknownVersion");
        };
        assert_eq!(framework, "xgboost");
        let expected =
            ["0.90-1", "0.90-2", "1", "1.0-1", "1.2-1", "1.2-2", "1.3-1", "1.5-1", "1.7-1", "3.0-5", "3.2-0", "latest"];
        assert_eq!(known, expected.map(String::from).to_vec());
        // Sorted as strings, aliases included.
        let Some(ImageError::UnknownVersion { known, .. }) = err("pytorch", "0.4.0", None, "us-east-1") else {
            unreachable!("expected UnknownVersion");
        };
        assert_eq!(known.len(), PYTORCH.len() + PYTORCH_ALIASES.len());
        assert!(known.windows(2).all(|w| matches!(w, [a, b] if a < b)));
        assert!(known.contains(&"2.1".to_string()) && known.contains(&"2.1.0".to_string()));
    }

    #[test]
    fn unknown_region() {
        let Some(ImageError::UnknownRegion { framework, known }) = err("xgboost", "1.5-1", None, "mars-north-1") else {
            unreachable!("expected UnknownRegion");
        };
        assert_eq!(framework, "xgboost");
        assert_eq!(known.len(), 37);
        assert!(known.windows(2).all(|w| matches!(w, [a, b] if a < b)));
        // Regions are per version: PyTorch 2.4.0 is not in us-iso-east-1, 2.3.0 is.
        assert!(matches!(err("pytorch", "2.4.0", None, "us-iso-east-1"), Some(ImageError::UnknownRegion { .. })));
        assert!(err("pytorch", "2.3.0", None, "us-iso-east-1").is_none());
        // The legacy xgboost:1 image has fewer regions.
        assert!(matches!(err("xgboost", "1", None, "ca-west-1"), Some(ImageError::UnknownRegion { .. })));
    }

    #[test]
    fn unknown_processor() {
        let cpu = vec!["cpu".to_string()];
        let both = vec!["cpu".to_string(), "gpu".to_string()];
        assert_eq!(
            err("sklearn", "1.2-1", Some("gpu"), "us-east-1"),
            Some(ImageError::UnknownProcessor { framework: "sklearn".into(), known: cpu.clone() })
        );
        assert_eq!(
            err("xgboost", "1.0-1", Some("gpu"), "us-east-1"),
            Some(ImageError::UnknownProcessor { framework: "xgboost".into(), known: cpu })
        );
        assert_eq!(
            err("pytorch", "2.1", Some("tpu"), "us-east-1"),
            Some(ImageError::UnknownProcessor { framework: "pytorch".into(), known: both })
        );
    }

    #[test]
    fn table_is_consistent() {
        for fw in FRAMEWORKS {
            let mut seen: Vec<&str> = Vec::new();
            for v in fw.versions {
                assert!(!seen.contains(&v.version), "{} {} twice", fw.name, v.version);
                seen.push(v.version);
                assert!(!known_regions(v.regions).is_empty());
            }
            for (alias, full) in fw.aliases {
                assert!(seen.contains(full), "{} alias {alias} -> {full} missing", fw.name);
                assert!(!seen.contains(alias), "{} alias {alias} shadows a version", fw.name);
            }
        }
        for table in [SAGEMAKER_1P, XGBOOST_ALGORITHM, DLC] {
            assert!(table.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)));
            assert!(table
                .iter()
                .all(|(_, account, _)| account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())));
        }
        assert_eq!(known_regions(Regions::Dlc(DlcSet::Base)).len(), 40);
        assert_eq!(known_regions(Regions::Dlc(DlcSet::All)).len(), 45);
    }

    #[test]
    fn odd_input_does_not_panic() {
        let long = "9".repeat(10_000);
        let odd = ["", " ", "\u{0}", "é", "2.", ".2", "--", "1..0", long.as_str(), "２.１"];
        for fw in ["xgboost", "sklearn", "pytorch", "tensorflow", "", "é"] {
            for s in odd {
                let _ = sagemaker_image_uri(fw, s, Some(s), s);
                let _ = sagemaker_image_uri(fw, s, None, "us-east-1");
                let _ = sagemaker_image_uri(s, "1.5-1", None, "us-east-1");
            }
        }
        // Input is trimmed and lower-cased.
        assert_eq!(uri(" XGBoost ", " 1.5-1 ", Some("CPU"), "US-EAST-1"), uri("xgboost", "1.5-1", None, "us-east-1"));
    }
}

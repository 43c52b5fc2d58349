//! Facts about AWS that checks and targets rely on, each in one place: service limits
//! (`limits`), name rules (`names`), the instance types SageMaker offers per job kind
//! (`instance_types`, generated from aws-sdk-sagemaker by `cargo xtask codegen`), and
//! the AWS-published framework images (`images`).

pub mod images;
pub mod instance_types;
pub mod limits;
pub mod names;

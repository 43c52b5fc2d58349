//! Code files and `file()` inputs to the content-addressed S3 keys the generated
//! definitions name (`<artifacts>/<pipeline>/code/<sha256>/<file>`,
//! `…/data/<sha256>/<file>`): the same bytes give the same key, so a file already there
//! is left alone and a re-run uploads only what is missing.

use std::collections::BTreeMap;

use aws_sdk_s3::primitives::ByteStream;

use super::{remote_error, DeployError, DeployOptions};
use crate::ir::Pipeline;

/// Every file the pipeline ships by its S3 URI, each once.
fn code_files(p: &Pipeline) -> BTreeMap<String, &[u8]> {
    crate::targets::requests::uploads(p)
}

fn split_uri(uri: &str) -> Option<(&str, &str)> {
    uri.strip_prefix("s3://")?.split_once('/')
}

/// Uploads the files not yet in S3; prints one line per file.
pub async fn upload_code(
    config: &aws_config::SdkConfig,
    p: &Pipeline,
    options: &DeployOptions,
    log: &mut dyn FnMut(String),
) -> Result<(), DeployError> {
    let files = code_files(p);
    if files.is_empty() {
        return Ok(());
    }
    let mut s3_config = aws_sdk_s3::config::Builder::from(config);
    if options.endpoint_url.is_some() {
        // Emulators and S3-compatible stores answer on one host: bucket in the path.
        s3_config = s3_config.force_path_style(true);
    }
    let client = aws_sdk_s3::Client::from_conf(s3_config.build());
    let endpoint = options.endpoint_url.as_deref();
    for (uri, bytes) in files {
        let Some((bucket, key)) = split_uri(&uri) else {
            return Err(DeployError::Usage(format!(
                "`{uri}` is not an S3 URI: `artifacts` must be s3://bucket/prefix"
            )));
        };
        match client.head_object().bucket(bucket).key(key).send().await {
            Ok(head) if head.content_length() == Some(bytes.len() as i64) => {
                log(format!("upload    {uri} (already there)"));
                continue;
            }
            Ok(_) => {}
            Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found()) => {}
            Err(e) => return Err(remote_error(&format!("checking {uri}"), endpoint, &e)),
        }
        client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await
            .map_err(|e| remote_error(&format!("uploading {uri}"), endpoint, &e))?;
        log(format!("upload    {uri} (uploaded, {} bytes)", bytes.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::code_files;
    use crate::{MemoryFiles, Target};

    #[test]
    fn a_python_job_ships_its_runner_and_module_and_a_processing_step_its_code() {
        let text = r#"pipeline p {
  role = "arn:aws:iam::123456789012:role/Demo", artifacts = "s3://b-ucket/x", region = "us-east-1"
  step prep: processing {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sk:1", instance = "ml.m5.xlarge", code = "job.py"
  }
  step check: python {
    callable = "checks:run", code = "checks.py", after = [prep]
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sk:1", instance = "ml.t3.medium"
  }
}"#;
        let files = MemoryFiles::default().with("job.py", "print(1)\n").with("checks.py", "def run(): pass\n");
        let checked = crate::check(text, &files, &Default::default(), Some(Target::Sagemaker));
        let p = checked.pipeline.unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
        let mut names: Vec<String> =
            code_files(&p).into_keys().map(|uri| uri.rsplit('/').next().unwrap_or("").to_string()).collect();
        names.sort();
        assert_eq!(names, ["checks.py", "job.py", "mlpc_runner.py"]);
    }

    #[test]
    fn file_inputs_ship_each_file_under_their_content_address() {
        let text = r#"pipeline p {
  role = "arn:aws:iam::123456789012:role/Demo", artifacts = "s3://b-ucket/x", region = "us-east-1"
  step prep: processing {
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/sk:1", instance = "ml.m5.xlarge", code = "job.py"
    in one: dataset<csv> = file("data/a.csv")
    in many: files = file("data")
  }
}"#;
        let files = MemoryFiles::default()
            .with("job.py", "print(1)\n")
            .with("data/a.csv", "x\n1\n")
            .with("data/more/b.csv", "y\n");
        let checked = crate::check(text, &files, &Default::default(), Some(Target::Sagemaker));
        let p = checked.pipeline.unwrap_or_else(|| panic!("{:?}", checked.diagnostics));
        let data: Vec<String> = code_files(&p).into_keys().filter(|u| u.contains("/data/")).collect();
        assert_eq!(data.len(), 3, "{data:?}");
        assert!(data.iter().any(|u| u.ends_with("/a.csv")) && data.iter().any(|u| u.ends_with("/more/b.csv")));
    }
}

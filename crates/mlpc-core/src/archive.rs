//! Packs a code folder into one `sourcedir.tar.gz`, the way the SageMaker SDK ships a
//! `source_dir`, but reproducibly: the same files give the same bytes on any machine
//! (sorted entries, mode 0644, owner 0, time 0, a gzip header without a time or name),
//! so the archive's digest can name its S3 key.

use std::io::Write;

use flate2::{Compression, GzBuilder};

/// The archive of `files` (path relative to the folder, with `/`; contents), in the
/// order given.
pub fn pack(files: &[(String, std::sync::Arc<[u8]>)]) -> Result<Vec<u8>, String> {
    let gzip = GzBuilder::new().mtime(0).write(Vec::new(), Compression::best());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    for (path, contents) in files {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(contents.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_uid(0);
        header.set_gid(0);
        tar.append_data(&mut header, path, &contents[..]).map_err(|e| format!("cannot pack `{path}`: {e}"))?;
    }
    let mut gzip = tar.into_inner().map_err(|e| e.to_string())?;
    gzip.flush().map_err(|e| e.to_string())?;
    gzip.finish().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Read;

    use super::pack;

    fn files(list: &[(&str, &str)]) -> Vec<(String, std::sync::Arc<[u8]>)> {
        list.iter().map(|(p, c)| (p.to_string(), c.as_bytes().into())).collect()
    }

    #[test]
    fn the_same_files_give_the_same_bytes_and_unpack_to_themselves() {
        let long = format!("pkg/{}/model.py", "deep".repeat(40));
        let input = files(&[("train.py", "print(1)\n"), ("pkg/__init__.py", ""), (&long, "x = 1\n")]);
        let a = pack(&input).unwrap();
        assert_eq!(a, pack(&input).unwrap());
        assert_ne!(a, pack(&files(&[("train.py", "print(2)\n")])).unwrap());
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&a[..]));
        let mut seen = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            assert_eq!(entry.header().mtime().unwrap(), 0);
            seen.push((entry.path().unwrap().to_string_lossy().into_owned(), text));
        }
        let want: Vec<(String, String)> =
            input.iter().map(|(p, c)| (p.clone(), String::from_utf8(c.to_vec()).unwrap())).collect();
        assert_eq!(seen, want);
    }
}

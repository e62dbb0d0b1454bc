//! Reading a command's output stream to its end while keeping only a bounded prefix, so a
//! command that prints gigabytes costs the server no more memory than the cap.

/// Reads `stream` to its end, keeping the first `cap` bytes; a longer output ends with a
/// note saying how many bytes were dropped.
pub(crate) async fn read_capped<R>(stream: Option<R>, cap: usize) -> std::io::Result<String>
where
    R: tokio::io::AsyncRead + Unpin,
{
    use tokio::io::AsyncReadExt;
    let Some(mut stream) = stream else {
        return Ok(String::new());
    };
    let mut kept: Vec<u8> = Vec::new();
    let mut dropped: u64 = 0;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        let take = cap.saturating_sub(kept.len()).min(n);
        kept.extend_from_slice(&buf[..take]);
        dropped += (n - take) as u64;
    }
    let mut text = String::from_utf8_lossy(&kept).into_owned();
    if dropped > 0 {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!(
            "# [output truncated: the first {} bytes are shown, {dropped} more bytes were dropped]\n",
            kept.len()
        ));
    }
    Ok(text)
}

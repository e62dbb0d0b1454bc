//! A line filter in front of rmcp's stdio transport.
//!
//! rmcp cannot decode a `tools/call` whose `arguments` is not an object (a string, an
//! array, a number) and answers "method not found" (-32601); the contract, as over HTTP,
//! is "invalid params" (-32602). The filter reads the client's newline-delimited
//! JSON-RPC messages, answers such lines itself (using the same probe as the HTTP
//! transport) and passes every other line to rmcp unchanged through an in-memory pipe.
//!
//! Output: rmcp's replies and the filter's own replies reach stdout through one writer
//! task that receives *whole lines*, so the two sources never interleave mid-message.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::arguments_probe::malformed_arguments;

/// Bytes buffered in each direction of the pipe between the filter and rmcp.
const PIPE_CAPACITY: usize = 64 * 1024;
/// Whole output lines queued for the writer.
const OUTPUT_QUEUE: usize = 64;

/// The filter's running tasks (rmcp serves on the pipe end [`StdioFilter::spawn`] returns).
pub struct StdioFilter {
    input: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl StdioFilter {
    /// Starts the filter between `input`/`output` (the process's stdin/stdout) and
    /// returns it with the pipe end rmcp reads requests from and writes replies to.
    pub fn spawn<R, W>(input: R, output: W) -> (Self, DuplexStream)
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (rmcp_side, filter_side) = tokio::io::duplex(PIPE_CAPACITY);
        let (from_rmcp, to_rmcp) = tokio::io::split(filter_side);
        let (lines, queue) = mpsc::channel::<Vec<u8>>(OUTPUT_QUEUE);
        let writer = tokio::spawn(write_lines(queue, output));
        tokio::spawn(forward_replies(from_rmcp, lines.clone()));
        let input = tokio::spawn(filter_requests(input, to_rmcp, lines));
        (Self { input, writer }, rmcp_side)
    }

    /// Stops reading input and waits until every queued line is written (the rmcp side
    /// must have been dropped, which ends the reply forwarder).
    pub async fn finish(self) {
        self.input.abort();
        let _ = self.input.await;
        let _ = self.writer.await;
    }
}

/// Client → rmcp: answers malformed `tools/call` lines, passes the rest through; at end
/// of input shuts the pipe so rmcp sees end of stream too.
async fn filter_requests<R, W>(input: R, mut to_rmcp: W, lines: mpsc::Sender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "stdin read failed");
                break;
            }
        }
        if let Some(reply) = malformed_arguments(&line) {
            let mut out = reply.to_string().into_bytes();
            out.push(b'\n');
            if lines.send(out).await.is_err() {
                break;
            }
            continue;
        }
        if to_rmcp.write_all(&line).await.is_err() {
            break;
        }
    }
    let _ = to_rmcp.shutdown().await;
}

/// rmcp → client: forwards rmcp's output one whole line at a time.
async fn forward_replies<R: AsyncRead + Unpin>(from_rmcp: R, lines: mpsc::Sender<Vec<u8>>) {
    let mut from_rmcp = BufReader::new(from_rmcp);
    loop {
        let mut line = Vec::new();
        match from_rmcp.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if lines.send(line).await.is_err() {
                    break;
                }
            }
        }
    }
}

/// The only writer of the output: whole lines, flushed after each.
async fn write_lines<W: AsyncWrite + Unpin>(mut queue: mpsc::Receiver<Vec<u8>>, mut output: W) {
    while let Some(line) = queue.recv().await {
        if output.write_all(&line).await.is_err() || output.flush().await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

    use super::StdioFilter;

    /// Malformed calls are answered by the filter; other lines reach rmcp's side byte for
    /// byte, and rmcp's output reaches the client.
    #[tokio::test]
    async fn answers_malformed_calls_and_passes_the_rest() {
        let (mut client, server_stdio) = tokio::io::duplex(4096);
        let (stdin, stdout) = tokio::io::split(server_stdio);
        let (filter, mut rmcp_side) = StdioFilter::spawn(stdin, stdout);
        let good = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}\n";
        let bad = b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"x\",\"arguments\":[1]}}\n";
        client.write_all(bad).await.unwrap();
        client.write_all(good).await.unwrap();
        let mut seen = vec![0u8; good.len()];
        rmcp_side.read_exact(&mut seen).await.unwrap();
        assert_eq!(seen, good);
        rmcp_side.write_all(b"{\"from\":\"rmcp\"}\n").await.unwrap();
        let mut replies = BufReader::new(&mut client);
        let mut first = String::new();
        replies.read_line(&mut first).await.unwrap();
        let first: serde_json::Value = serde_json::from_str(&first).unwrap();
        assert_eq!(first["error"]["code"], -32602);
        assert_eq!(first["id"], 2);
        let mut second = String::new();
        replies.read_line(&mut second).await.unwrap();
        assert_eq!(second, "{\"from\":\"rmcp\"}\n");
        drop(rmcp_side);
        filter.finish().await;
    }

    /// A reply rmcp has only half written is held back until its newline, so the
    /// filter's own reply (sent meanwhile) never lands inside it.
    #[tokio::test]
    async fn replies_never_interleave_mid_line() {
        let (client, server_stdio) = tokio::io::duplex(4096);
        let (stdin, stdout) = tokio::io::split(server_stdio);
        let (filter, mut rmcp_side) = StdioFilter::spawn(stdin, stdout);
        let (client_out, mut client_in) = tokio::io::split(client);
        let mut replies = BufReader::new(client_out);
        rmcp_side.write_all(b"{\"jsonrpc\":\"2.0\",").await.unwrap();
        let bad = b"{\"jsonrpc\":\"2.0\",\"id\":\"b\",\"method\":\"tools/call\",\"params\":{\"arguments\":\"s\"}}\n";
        client_in.write_all(bad).await.unwrap();
        let mut first = String::new();
        replies.read_line(&mut first).await.unwrap();
        let first: serde_json::Value = serde_json::from_str(&first).unwrap();
        assert_eq!(first["id"], "b");
        assert_eq!(first["error"]["code"], -32602);
        rmcp_side
            .write_all(b"\"id\":1,\"result\":{}}\n")
            .await
            .unwrap();
        let mut second = String::new();
        replies.read_line(&mut second).await.unwrap();
        assert_eq!(second, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n");
        drop(rmcp_side);
        filter.finish().await;
    }
}

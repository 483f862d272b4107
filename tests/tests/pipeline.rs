//! Pipelines and transactions against a real server.

use std::time::Duration;

use integration_tests::RedisServer;
use redis_blocking::{
    Cmd, Config, Connection, ErrorCode, ErrorKind, Executed, Pipeline, Protocol, ServerError, Value,
};

fn open(server: &RedisServer) -> Connection {
    Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap()
}

#[test]
fn results_in_order_and_errors_do_not_hide_others() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server);
    let mut pipe = Pipeline::new();
    pipe.cmd("SET").arg("s").arg("text").ignore();
    pipe.cmd("INCR").arg("s");
    pipe.cmd("INCR").arg("n");
    pipe.cmd("GET").arg("s");
    let (incr_s, incr_n, s): (Result<i64, ServerError>, i64, String) =
        conn.query_pipeline(&pipe).unwrap();
    assert_eq!(incr_s.unwrap_err().code(), &ErrorCode::Err);
    assert_eq!((incr_n, s.as_str()), (1, "text"));
    // The same pipeline, one result per command.
    let results = conn.pipeline_results(&pipe);
    assert_eq!(results.len(), 4);
    assert!(results[0].is_ok());
    assert_eq!(results[1].as_ref().unwrap_err().kind(), ErrorKind::Server);
    assert_eq!(results[2].as_ref().unwrap(), &Value::Integer(2));
    // A plain typed query fails on the first server error but reads
    // everything, so the connection stays in step.
    let err = conn
        .query_pipeline::<(i64, i64, String)>(&pipe)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(
        conn.query::<String>(&Cmd::new("ECHO").arg("after"))
            .unwrap(),
        "after"
    );
}

#[test]
fn a_million_commands() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server);
    let mut pipe = Pipeline::new();
    for i in 0..1_000_000u64 {
        pipe.cmd("INCRBY").arg("counter").arg(i % 3);
    }
    let replies: Vec<i64> = conn.query_pipeline(&pipe).unwrap();
    assert_eq!(replies.len(), 1_000_000);
    assert_eq!(replies[999_999], 999_999);
    assert_eq!(
        conn.query::<i64>(&Cmd::new("GET").arg("counter")).unwrap(),
        999_999
    );
}

#[test]
fn a_100_mib_pipeline_with_large_replies_does_not_deadlock() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server);
    let value = vec![b'v'; 1 << 20];
    conn.query::<()>(&Cmd::new("SET").arg("one-mib").arg(&value))
        .unwrap();
    // 100 SETs of 1 MiB written while 100 GETs of 1 MiB are read back:
    // both socket buffers would fill if writes and reads did not interleave.
    let mut pipe = Pipeline::new();
    for i in 0..100 {
        pipe.cmd("SET").arg(format!("k{i}")).arg(&value).ignore();
        pipe.cmd("GET").arg("one-mib");
    }
    let replies: Vec<Vec<u8>> = conn.query_pipeline(&pipe).unwrap();
    assert_eq!(replies.len(), 100);
    assert!(replies.iter().all(|r| r == &value));
    assert_eq!(
        conn.query::<i64>(&Cmd::new("STRLEN").arg("k99")).unwrap(),
        1 << 20
    );
}

#[test]
fn transactions_are_atomic_and_report_execabort() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server);
    let mut pipe = Pipeline::transaction();
    pipe.cmd("SET").arg("a").arg(1).ignore();
    pipe.cmd("INCR").arg("a");
    pipe.cmd("INCR").arg("a");
    let (x, y): (i64, i64) = conn.query_pipeline(&pipe).unwrap();
    assert_eq!((x, y), (2, 3));

    let mut bad = Pipeline::transaction();
    bad.cmd("SET").arg("b").arg(1);
    bad.cmd("SET").arg("only-a-key");
    bad.cmd("INCR").arg("b");
    let err = conn.query_pipeline::<Value>(&bad).unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::ExecAbort));
    assert_eq!(err.executed(), Executed::No);
    assert!(err.to_string().contains("command 2"), "{err}");
    assert!(
        err.to_string().contains("wrong number of arguments"),
        "{err}"
    );
    assert_eq!(server.run(&["EXISTS", "b"]), ":0\r\n");
    let results = conn.pipeline_results(&bad);
    assert_eq!(
        results[1].as_ref().unwrap_err().code(),
        Some(&ErrorCode::Err)
    );
    assert_eq!(
        results[0].as_ref().unwrap_err().code(),
        Some(&ErrorCode::ExecAbort)
    );
}

#[test]
fn watch_conflict_retries_and_leaves_connection_unwatched() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server);
    let mut other = open(&server);
    conn.query::<()>(&Cmd::new("SET").arg("balance").arg(10))
        .unwrap();
    let mut attempts = 0;
    let (balance,): (i64,) = conn
        .transaction("balance", |conn, pipe| {
            attempts += 1;
            let current: i64 = conn.query(&Cmd::new("GET").arg("balance"))?;
            if attempts == 1 {
                // Another client writes between our read and EXEC.
                other.query::<()>(&Cmd::new("INCRBY").arg("balance").arg(100))?;
            }
            pipe.cmd("SET").arg("balance").arg(current * 2).ignore();
            pipe.cmd("GET").arg("balance");
            Ok(())
        })
        .unwrap();
    assert_eq!(attempts, 2);
    assert_eq!(balance, 220);

    // A body that fails leaves the connection unwatched: a later
    // transaction is not aborted by changes made in between.
    let failed = conn.transaction::<_, (), _>("balance", |_, _| {
        Err(redis_blocking::Error::from(ServerError::new(
            "ERR body gave up",
        )))
    });
    assert!(failed.is_err());
    other
        .query::<()>(&Cmd::new("SET").arg("balance").arg(0))
        .unwrap();
    let mut pipe = Pipeline::transaction();
    pipe.cmd("INCR").arg("balance");
    let (n,): (i64,) = conn.query_pipeline(&pipe).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn pipeline_timeout_closes_the_connection() {
    let server = RedisServer::start().unwrap();
    let mut conn =
        Connection::open(&Config::tcp("127.0.0.1", server.port()).protocol(Protocol::Resp3))
            .unwrap();
    let mut pipe = Pipeline::new();
    pipe.cmd("INCR").arg("x");
    pipe.cmd("DEBUG").arg("SLEEP").arg(0.5);
    pipe.cmd("INCR").arg("x");
    pipe.timeout(Duration::from_millis(100));
    let results = conn.pipeline_results(&pipe);
    // The server sends the replies of one batch together, after the sleep:
    // none arrived in time, and all three commands were written.
    for result in &results {
        let err = result.as_ref().unwrap_err();
        assert_eq!(
            (err.kind(), err.executed()),
            (ErrorKind::Timeout, Executed::Maybe)
        );
    }
    assert!(conn.is_broken());
    let err = conn.query::<i64>(&Cmd::new("GET").arg("x")).unwrap_err();
    assert_eq!(
        (err.kind(), err.executed()),
        (ErrorKind::Closed, Executed::No)
    );
}

#[test]
fn subscribe_is_refused_on_regular_connections() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server);
    let err = conn
        .query::<Value>(&Cmd::new("SUBSCRIBE").arg("ch"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCommand);
    let mut pipe = Pipeline::new();
    pipe.cmd("MONITOR");
    assert_eq!(
        conn.query_pipeline::<Value>(&pipe).unwrap_err().kind(),
        ErrorKind::InvalidCommand
    );
    assert_eq!(conn.query::<String>(&Cmd::new("PING")).unwrap(), "PONG");
}

//! The provider's address, looked up once every `TTL`: ureq looks the host up at every
//! call, even to reuse a pooled connection, and with a timeout set (as `payments::http`
//! sets one) it does so on a new thread: a new thread and a DNS query for every status
//! check of the poller (bench figure 15) and every other provider call.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use ureq::config::Config as UreqConfig;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up address of the provider is used (Java's default DNS cache, the
/// providers' own clients, keeps one 30 s too).
pub const TTL: Duration = Duration::from_secs(30);

/// A resolver (ureq's: the system's look-up, within the call's timeout) whose answers are
/// kept `ttl` per scheme, host and port. A failed look-up is not kept.
#[derive(Debug)]
pub struct CachedResolver<R = DefaultResolver> {
    inner: R,
    ttl: Duration,
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl CachedResolver {
    /// The system's look-up (ureq's own resolver), kept `TTL`.
    pub fn system() -> Self {
        CachedResolver::new(DefaultResolver::default(), TTL)
    }
}

impl<R> CachedResolver<R> {
    fn new(inner: R, ttl: Duration) -> Self {
        CachedResolver {
            inner,
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn key(uri: &Uri) -> String {
        format!(
            "{}://{}",
            uri.scheme_str().unwrap_or(""),
            uri.authority().map(|a| a.as_str()).unwrap_or("")
        )
    }
}

impl<R: Resolver> Resolver for CachedResolver<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &UreqConfig,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = Self::key(uri);
        let now = Instant::now();
        if let Some((at, addrs)) = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            && now.duration_since(*at) < self.ttl
        {
            return Ok(addrs.clone());
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, (now, addrs.clone()));
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts its look-ups; fails the first `fail` of them.
    #[derive(Debug, Default)]
    struct Counting {
        calls: std::sync::atomic::AtomicUsize,
        fail: usize,
    }

    impl Resolver for Counting {
        fn resolve(
            &self,
            uri: &Uri,
            _: &UreqConfig,
            _: NextTimeout,
        ) -> Result<ResolvedSocketAddrs, ureq::Error> {
            let n = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n < self.fail {
                return Err(ureq::Error::HostNotFound);
            }
            let mut addrs = self.empty();
            let port = uri.port_u16().unwrap_or(443) + n as u16;
            addrs.push(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
            Ok(addrs)
        }
    }

    fn look_up<R: Resolver>(r: &CachedResolver<R>, url: &str) -> Result<Vec<u16>, ureq::Error> {
        let timeout = NextTimeout {
            after: Duration::from_secs(5).into(),
            reason: ureq::Timeout::Resolve,
            per_read: None,
            per_write: None,
        };
        let uri: Uri = url.parse().unwrap();
        let addrs = r.resolve(&uri, &UreqConfig::default(), timeout)?;
        Ok(addrs.iter().map(|a| a.port()).collect())
    }

    #[test]
    fn a_provider_is_looked_up_once_per_ttl_and_a_failure_is_not_kept() {
        let r = CachedResolver::new(Counting::default(), TTL);
        let calls =
            |r: &CachedResolver<Counting>| r.inner.calls.load(std::sync::atomic::Ordering::SeqCst);
        let url = "https://api.example.it:8443/gpd/debt-positions-service/v1/x";
        assert_eq!(look_up(&r, url).unwrap(), [8443]);
        for _ in 0..10 {
            assert_eq!(look_up(&r, url).unwrap(), [8443], "the address kept");
        }
        assert_eq!(calls(&r), 1);
        // Another host (or port, or scheme) is looked up on its own.
        assert_eq!(look_up(&r, "http://api.example.it:8443/").unwrap(), [8444]);
        assert_eq!(
            look_up(&r, "https://other.example.it:8443/").unwrap(),
            [8445]
        );
        assert_eq!(calls(&r), 3);
        // Past the ttl: looked up again.
        let r = CachedResolver::new(Counting::default(), Duration::ZERO);
        look_up(&r, url).unwrap();
        assert_eq!(look_up(&r, url).unwrap(), [8444]);
        // A failed look-up is tried again at the next call.
        let failing = Counting {
            fail: 1,
            ..Default::default()
        };
        let r = CachedResolver::new(failing, TTL);
        assert!(matches!(look_up(&r, url), Err(ureq::Error::HostNotFound)));
        assert_eq!(look_up(&r, url).unwrap(), [8444]);
        assert_eq!(look_up(&r, url).unwrap(), [8444]);
        assert_eq!(calls(&r), 2);
    }
}

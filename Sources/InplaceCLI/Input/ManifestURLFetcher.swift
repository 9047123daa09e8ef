#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KubeClient

/// Reads `-f http(s)://...` as kubectl does (`resource.readHttpWithRetries`): a GET that must answer
/// 200, tried up to three times, one second apart, while the server answers 5xx or cannot be reached.
struct ManifestURLFetcher {
    /// True for the inputs kubectl reads over HTTP.
    static func isURL(_ path: String) -> Bool { path.hasPrefix("http://") || path.hasPrefix("https://") }

    /// The body at `url`, or an input error in kubectl's words.
    static func fetch(_ url: String, attempts: Int = 3) throws -> [UInt8] {
        let server: ServerURL
        do {
            server = try ServerURL.parse(url, defaultTLS: true)
        } catch {
            throw CLIError.input("unable to read URL \"\(url)\": \(error)")
        }
        let transport = CurlTransport(settings: TransportSettings(
            server: server, userAgent: "kubectl-inplace/\(Version.current)", connectTimeout: .seconds(10), maxIdleHandles: 1))
        var failure = ""
        for attempt in 1...attempts {
            if attempt > 1 { sleep(1) }
            do {
                let response = try transport.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(30)))
                if response.status == 200 { return response.body }
                failure = "server reported \(response.status) \(reason(response.status)), status code=\(response.status)"
                if response.status < 500 { break }
            } catch {
                failure = error.description
            }
        }
        throw CLIError.input("unable to read URL \"\(url)\", \(failure)")
    }

    /// The reason phrase Go's `http.Response.Status` carries, for the common codes.
    static func reason(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return ""
        }
    }
}

import LVSModel
import Testing

/// Rejected invocations print ipvsadm's exact message and exit status.
@Suite("ipvsadm rejects bad input with its exact messages")
struct IPVSAdmErrorTests {
    struct Case: CustomStringConvertible, Sendable {
        var args: [String]
        var exit: Int32
        var stderr: String
        var description: String { args.joined(separator: " ") }
    }

    static let cases: [Case] = [
        .init(args: ["-A", "-t", "10.10.0.300:80"], exit: 2, stderr: "illegal virtual server address[:port] specified\n"),
        .init(args: ["-A", "-t", "10.10.0.100:80", "-s"], exit: 255, stderr: "-s: missing argument\n"),
        .init(args: ["-A", "-t", "10.10.0.100:80", "-w", "3"], exit: 2, stderr: "Illegal 'weight' option with the 'add-service' command\n"),
        .init(args: ["-a", "-t", "10.10.0.100:80"], exit: 2, stderr: "You need to supply the 'real-server' option for the 'add-server' command\n"),
        .init(args: ["-a", "-r", "10.30.0.1"], exit: 2, stderr: "You need to supply the 'service-address' option for the 'add-server' command\n"),
        .init(args: ["-d", "-t", "10.10.0.100:80", "-r", "10.30.0.1", "-w", "2"], exit: 2, stderr: "Illegal 'weight' option with the 'delete-server' command\n"),
        .init(args: ["-A", "-t", "10.10.0.100:80", "-s", "rr", "-s", "wrr"], exit: 2, stderr: "multiple 'scheduler' options specified\n"),
        .init(args: ["-a", "-t", "1.2.3.4:80", "-r", "10.30.0.1", "-g", "-m"], exit: 2, stderr: "multiple 'forwarding-method' options specified\n"),
        .init(args: ["-L", "-c", "--stats"], exit: 2, stderr: "options conflicts in the list command\n"),
        .init(args: ["-L", "-c", "--timeout"], exit: 2, stderr: "The option 'timeout' conflicts with the 'connection' option in the 'list' command\n"),
        .init(args: ["--bogus"], exit: 255, stderr: "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"),
        .init(args: ["-n"], exit: 255, stderr: "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"),
        .init(args: ["-Ln", "--bogus"], exit: 255, stderr: "--bogus: unknown option\n"),
        .init(args: ["-A", "-t", "10.10.0.100:80", "-p", "2678401"], exit: 2, stderr: "invalid timeout value `2678401' specified\n"),
        .init(args: ["-A", "-f", "1", "-6", "-M", "129"], exit: 2, stderr: "illegal ipv6 netmask specified\n"),
        .init(args: ["-A", "-t", "10.10.0.100:80", "-6"], exit: 2, stderr: "-6 used before -f\n\n"),
        .init(args: ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1", "-x", "abc"], exit: 2, stderr: "illegal u_threshold specified\n"),
        .init(args: ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1", "-y", "-5"], exit: 2, stderr: "illegal l_threshold specified\n"),
        .init(args: ["--set", "1", "2"], exit: 2, stderr: "--set option requires 3 timeout values\n"),
        .init(args: ["--set", "1", "2", "3", "4"], exit: 2, stderr: "unexpected argument 4\n"),
        .init(args: ["-A", "-t", "192.168.4.5:80", "s", "rr"], exit: 2, stderr: "unexpected argument s\n"),
        .init(args: ["--start-daemon", "primary"], exit: 2, stderr: "illegal start-daemon parameter specified\n"),
        .init(args: ["-C", "-n"], exit: 2, stderr: "Illegal 'numeric' option with the 'flush' command\n"),
        .init(args: ["-S", "-t", "10.10.0.100:80"], exit: 2, stderr: "Illegal 'service-address' option with the 'save' command\n"),
        .init(args: ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1", "-m", "--tun-type", "gue"], exit: 2, stderr: "Tunnel options conflict with forward method\n"),
        .init(args: ["-A", "-u", "10.10.0.100:53", "-s", "rr", "-b", "mh-port"], exit: 2, stderr: "incompatible scheduler flag `mh-port'\n"),
        .init(args: ["-A", "-t", "10.10.0.100:80", "-b", "flag-1,bogus"], exit: 2, stderr: "invalid scheduler flag `bogus'\n"),
        .init(args: ["-Z", "-r", "10.30.0.1"], exit: 2, stderr: "Illegal 'real-server' option with the 'zero' command\n"),
        .init(args: ["-A", "-f", "0"], exit: 2, stderr: "invalid fwmark value `0' specified\n"),
        .init(args: ["-a", "-t", "10.10.0.100:80", "-r", "80"], exit: 2, stderr: "illegal real server address[:port] specified\n"),
        .init(args: ["-D"], exit: 2, stderr: "You need to supply the 'service-address' option for the 'delete-service' command\n"),
        .init(args: ["-e", "-t", "10.10.0.100:80", "-r", "10.30.0.1", "-w", "5x"], exit: 2, stderr: "illegal weight specified\n"),
        .init(args: ["-A", "-t", "[2001:db8::1]"], exit: 2, stderr: "illegal virtual server address[:port] specified\n"),
        .init(args: ["-L", "-A"], exit: 2, stderr: "invalid option `-A'\n"),
        .init(args: ["-A", "-t", "10.10.0.100:80"], exit: 255, stderr: "Service already exists\n"),
        .init(args: ["-Ln", "-t", "10.10.0.100:81"], exit: 1, stderr: "No such service\n"),
        .init(args: ["-a", "-t", "10.10.0.100:80", "-r", "224.0.0.1"], exit: 255,
              stderr: "Invalid operation.  Possibly wrong module version, address not unicast, ...\n"),
        .init(args: ["-e", "-t", "10.10.0.100:80", "-r", "10.30.0.9"], exit: 255, stderr: "No such destination\n"),
    ]

    @Test("a bad invocation prints the expected message, exits with the expected status and leaves the table alone",
          arguments: IPVSAdmErrorTests.cases)
    func badInputIsRejected(_ item: Case) {
        var table = IPVSTable()
        _ = IPVSAdm.run(["-A", "-t", "10.10.0.100:80", "-s", "rr"], table: &table, resolver: .empty)
        let before = table
        let result = IPVSAdm.run(item.args, table: &table, resolver: .empty)
        #expect(result.stderr == item.stderr)
        #expect(result.exitCode == item.exit)
        #expect(result.stdout == "")
        #expect(table == before)
    }

    @Test("at least twenty-five bad inputs are covered")
    func enoughCases() {
        #expect(Self.cases.count >= 25)
    }
}

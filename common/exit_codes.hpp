// Process exit statuses, from BSD sysexits(3), so scripts can tell failures apart.
#pragma once

namespace net {

enum ExitCode : int {
    kExitOk = 0,
    kExitUsage = 64,        // EX_USAGE: bad command line
    kExitDataErr = 65,      // EX_DATAERR: bad input data
    kExitNoInput = 66,      // EX_NOINPUT: an input file is missing or unreadable
    kExitNoHost = 68,       // EX_NOHOST: host name unknown
    kExitUnavailable = 69,  // EX_UNAVAILABLE: service unavailable (refused, reset, unreachable)
    kExitSoftware = 70,     // EX_SOFTWARE: internal error
    kExitOsErr = 71,        // EX_OSERR: system error (cannot fork, out of descriptors)
    kExitCantCreate = 73,   // EX_CANTCREAT: cannot create an output file
    kExitIoErr = 74,        // EX_IOERR: input/output error
    kExitTempFail = 75,     // EX_TEMPFAIL: try again later
    kExitProtocol = 76,     // EX_PROTOCOL: the peer broke the protocol
    kExitNoPerm = 77,       // EX_NOPERM: permission denied
    kExitConfig = 78,       // EX_CONFIG: configuration error
};

}  // namespace net

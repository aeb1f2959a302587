"""Real mail servers for the proxy's tests, started by the test on loopback
with a configuration it writes into a temporary directory: no system
service is touched (no /etc config, no system spool).

  Exim(tmp)     exim4 (exim4-daemon-light): .port (plain SMTP, STARTTLS
                advertised with exim's own self-signed certificate unless
                starttls=False), .tls_port (implicit TLS), mail for
                anyone@tlsprobe.test delivered into .maildir (Maildir/new);
                .delivered() lists the messages' texts
  Dovecot(tmp)  dovecot imapd + pop3d: .imap_port, .pop3_port, a passwd-file
                user tester/secret, a maildir holding one message whose
                Subject is Dovecot.SUBJECT
Both: .stop().  Fixed ports come from the range 21200-21299 (the servers
cannot take port 0), each checked free before use.
"""
import grp
import os
import pwd
import random
import shutil
import socket
import subprocess
import time

PORT_LO, PORT_HI = 21200, 21299
# TP_MAIL_PORTS=LO-HI: another range (two runs on one machine at the same time)
if os.environ.get("TP_MAIL_PORTS"):
    PORT_LO, PORT_HI = (int(x) for x in os.environ["TP_MAIL_PORTS"].split("-"))


def free_port(taken=()):
    ports = list(range(PORT_LO, PORT_HI + 1))
    random.shuffle(ports)
    for p in ports:
        if p in taken:
            continue
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port in %d-%d" % (PORT_LO, PORT_HI))


def wait_listening(port, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def _chown(path, user):
    pw = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        for n in [root] + [os.path.join(root, d) for d in dirs] + \
                [os.path.join(root, f) for f in files]:
            os.chown(n, pw.pw_uid, pw.pw_gid)


def _traversable(tmp):
    # the servers drop root: they must reach their directories inside tmp
    os.chmod(tmp, 0o755)


EXIM_CONF = """\
primary_hostname = tlsprobe.test
spool_directory = {d}/spool
log_file_path = {d}/log/%slog
pid_file_path = {d}/exim.pid
daemon_smtp_ports = {port} : {tls_port}
tls_on_connect_ports = {tls_port}
local_interfaces = 127.0.0.1
keep_environment =
host_lookup =
rfc1413_hosts =
tls_advertise_hosts = {advertise}
domainlist local_domains = tlsprobe.test
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept domains = +local_domains
  deny message = relay not permitted
begin routers
local:
  driver = accept
  domains = +local_domains
  transport = maildir
begin transports
maildir:
  driver = appendfile
  directory = {d}/maildir
  maildir_format
  create_directory
  user = Debian-exim
  envelope_to_add
  return_path_add
"""


class Exim:
    def __init__(self, tmp, starttls=True, ports=None, name="exim"):
        """ports: (port, tls_port) to start again where a stopped one was."""
        self.dir = os.path.join(tmp, name)
        for sub in ("spool", "log", "maildir"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.port, self.tls_port = ports or (None, None)
        self.port = self.port or free_port()
        self.tls_port = self.tls_port or free_port({self.port})
        self.maildir = os.path.join(self.dir, "maildir")
        self.conf = os.path.join(self.dir, "exim.conf")
        with open(self.conf, "w") as f:
            f.write(EXIM_CONF.format(d=self.dir, port=self.port, tls_port=self.tls_port,
                                     advertise="*" if starttls else ""))
        for sub in ("spool", "log", "maildir"):  # the config stays root's
            _chown(os.path.join(self.dir, sub), "Debian-exim")
        _traversable(tmp)
        self.proc = subprocess.Popen(["exim4", "-C", self.conf, "-bdf", "-odi"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not (wait_listening(self.port) and wait_listening(self.tls_port)):
            self.stop()
            raise RuntimeError("exim did not start: " + self.log())

    def delivered(self):
        new = os.path.join(self.maildir, "new")
        out = []
        for n in sorted(os.listdir(new)) if os.path.isdir(new) else []:
            with open(os.path.join(new, n), "rb") as f:
                out.append(f.read().decode("utf-8", "replace"))
        return out

    def log(self):
        try:
            with open(os.path.join(self.dir, "log", "mainlog")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


DOVECOT_CONF = """\
protocols = imap pop3
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = {d}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


class Dovecot:
    SUBJECT = "tlsprobe proxy test message"

    def __init__(self, tmp):
        self.dir = os.path.join(tmp, "dovecot")
        mail = os.path.join(self.dir, "mail")
        for sub in ("run", "state", "home", "mail/new", "mail/cur", "mail/tmp"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        with open(os.path.join(mail, "new", "1000000000.M1P1.tlsprobe"), "w") as f:
            f.write("From: sender@tlsprobe.test\r\nTo: tester@tlsprobe.test\r\n"
                    "Subject: %s\r\n\r\nhello through the proxy\r\n" % self.SUBJECT)
        nobody = pwd.getpwnam("nobody")
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write("tester:secret:%d:%d::%s/home::\n" % (nobody.pw_uid, nobody.pw_gid, self.dir))
        _traversable(tmp)
        _chown(mail, "nobody")
        _chown(os.path.join(self.dir, "home"), "nobody")
        self.imap_port = free_port()
        self.pop3_port = free_port({self.imap_port})
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(DOVECOT_CONF.format(d=self.dir, imap=self.imap_port, pop3=self.pop3_port))
        self.proc = subprocess.Popen(["dovecot", "-F", "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not (wait_listening(self.imap_port) and wait_listening(self.pop3_port)):
            self.stop()
            raise RuntimeError("dovecot did not start: " + self.log())

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

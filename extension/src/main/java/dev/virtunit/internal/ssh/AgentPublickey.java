package dev.virtunit.internal.ssh;

import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.Message;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.method.AbstractAuthMethod;

import java.io.IOException;

/**
 * sshj's "publickey" login with a key the {@link SshAgent} holds (RFC 4252, section 7): first the key is offered
 * unsigned; only if the server would accept it ({@code SSH_MSG_USERAUTH_PK_OK}) does the agent sign the request,
 * so an agent with many keys signs once. One instance per key; sshj tries them in order.
 */
final class AgentPublickey extends AbstractAuthMethod {

    private final SshAgent agent;
    private final SshAgent.Identity identity;

    AgentPublickey(SshAgent agent, SshAgent.Identity identity) {
        super("publickey");
        this.agent = agent;
        this.identity = identity;
    }

    @Override
    protected SSHPacket buildReq() throws UserAuthException {
        return request(false);
    }

    private SSHPacket request(boolean signed) throws UserAuthException {
        return super.buildReq().putBoolean(signed).putString(identity.algorithm()).putString(identity.blob());
    }

    @Override
    public void handle(Message message, SSHPacket packet) throws UserAuthException, TransportException {
        if (message != Message.USERAUTH_60) {
            super.handle(message, packet);
            return;
        }
        SSHPacket signed = request(true);
        // What is signed: the session id, then the request itself from its message number on (RFC 4252, 7).
        byte[] data = new Buffer.PlainBuffer().putString(params.getTransport().getSessionID()).putBuffer(signed)
                .getCompactData();
        try {
            signed.putString(agent.sign(identity, data));
        } catch (IOException e) {
            throw new UserAuthException("the SSH agent did not sign the login with " + identity.describe() + ": "
                    + e.getMessage(), e);
        }
        params.getTransport().write(signed);
    }

    @Override
    public String toString() {
        return "publickey from the SSH agent: " + identity.describe();
    }
}

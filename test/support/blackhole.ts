/**
 * A loopback address that drops connection attempts unanswered, as an unroutable host or a
 * firewall that drops packets does: the client's SYN gets no reply and `connect` hangs until
 * the client gives up.
 *
 * Made without root or iptables: a child process listens with a backlog of 1 and then blocks its
 * event loop, so it never accepts; two filler connections fill the kernel's accept queue, and
 * Linux then drops every further SYN (`tcp_abort_on_overflow` is 0 by default). A routable but
 * "unroutable" address such as 10.255.255.1 is not usable for this on every machine: where an
 * outbound proxy intercepts connections (as on the machine these tests were written on), it
 * answers, and the client sees a closed connection, not a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { connect, type Socket } from 'node:net'

const CHILD = `
const net = require('node:net')
const server = net.createServer()
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  process.send(server.address().port, () => {
    // Blocks the event loop for good: nothing is ever accepted. Killed by the parent.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
  })
})
`

export interface Blackhole {
  readonly host: string
  readonly port: number
  close(): Promise<void>
}

export async function startBlackhole(): Promise<Blackhole> {
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve(message as number))
    child.once('exit', (code) => reject(new Error(`blackhole child exited (${code})`)))
  })
  const fillers: Socket[] = []
  // Queue-full takes the accept queue's length plus one; a few more for safety.
  for (let i = 0; i < 4; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => {}))
  await new Promise((resolve) => setTimeout(resolve, 100))
  return {
    host: '127.0.0.1',
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy()
      child.kill('SIGKILL')
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)))
    },
  }
}

/** Whether a connection attempt to `blackhole` is still unanswered after `ms`: the blackhole works here. */
export async function isUnanswered(blackhole: Blackhole, ms = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(blackhole.port, blackhole.host)
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(true)
    }, ms)
    socket.on('connect', () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(false)
    })
    socket.on('error', () => {
      clearTimeout(timer)
      resolve(false)
    })
  })
}

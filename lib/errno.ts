// Every errno number lib/ uses, by name, from os.constants.errno (no numeric literals elsewhere).
import { constants } from 'node:os';

export const {
  EACCES,
  EAGAIN,
  EALREADY,
  EBADF,
  EBUSY,
  ECHILD,
  ECONNABORTED,
  ECONNREFUSED,
  ECONNRESET,
  EEXIST,
  EINPROGRESS,
  EINTR,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOSYS,
  ENOTDIR,
  EOPNOTSUPP,
  EPERM,
  EPIPE,
  ESPIPE,
  ESRCH,
  ETIMEDOUT,
} = constants.errno;

/** Node's table lacks ESHUTDOWN; this is its Linux value (asm-generic/errno.h), the one number kept here. */
export const ESHUTDOWN = 108;

// Errors of the control API (the emulator's own test interface), with stable codes.

export class ControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export const controlErrors = {
  portalNotFound: (memberId: string) => new ControlError('PORTAL_NOT_FOUND', `No portal ${memberId}`, 404),
  appNotFound: (clientId: string) => new ControlError('APP_NOT_FOUND', `No app ${clientId}`, 404),
  userNotFound: (id: number) => new ControlError('USER_NOT_FOUND', `No user ${id}`, 404),
  notInstalled: () => new ControlError('APP_NOT_INSTALLED', 'The app is not installed on this portal', 409),
  alreadyInstalled: () => new ControlError('APP_ALREADY_INSTALLED', 'Application was previously installed', 409),
  activityNotFound: (id: number) => new ControlError('ACTIVITY_NOT_FOUND', `No activity ${id}`, 404),
  actionNotFound: (id: string) =>
    new ControlError('ACTION_NOT_FOUND', `No restEvent action "${id}" in the layout`, 404),
  heldNotFound: (id: number) => new ControlError('HELD_NOT_FOUND', `No held delivery ${id}`, 404),
  locked: () => new ControlError('ACTIVITY_LOCKED', 'The record or button is locked until the app updates it', 409),
};

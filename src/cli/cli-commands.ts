import type { CommandModule } from 'yargs';
import { closeCommand, deleteCommand, reopenCommand } from './commands/close-command';
import { commentsCommand } from './commands/comments-command';
import { createCommand } from './commands/create-command';
import { dashboardCommand } from './commands/dashboard-command';
import { daemonCommand, daemonEventCommand, eventsCommand } from './commands/daemon-command';
import { depCommand, labelCommand } from './commands/dep-command';
import { hooksCommand } from './commands/hooks-command';
import { initCommand } from './commands/init-command';
import { listCommand } from './commands/list-command';
import { mergeCommand } from './commands/merge-command';
import { blockedCommand, readyCommand, statsCommand } from './commands/ready-command';
import { showCommand } from './commands/show-command';
import { exportCommand, importCommand } from './commands/sync-commands';
import { updateCommand } from './commands/update-command';

/** Every command, in the order `--help` lists them. */
export function cliCommands(): CommandModule<any, any>[] {
  return [
    initCommand,
    createCommand,
    listCommand,
    showCommand,
    updateCommand,
    closeCommand,
    reopenCommand,
    deleteCommand,
    readyCommand,
    blockedCommand,
    depCommand,
    labelCommand,
    commentsCommand,
    exportCommand,
    importCommand,
    statsCommand,
    daemonCommand,
    daemonEventCommand,
    eventsCommand,
    mergeCommand,
    hooksCommand,
    dashboardCommand,
  ];
}

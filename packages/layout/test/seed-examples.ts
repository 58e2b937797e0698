// The JSON examples of the seed documents (../shared/seeds/000_5b3b722763c7b1a2.txt, 003_*.txt), verbatim
// except where noted.

/** Complete LayoutDto examples: structure page, content-block pages, the five "Examples of Activity Configurations", crm.activity.configurable.add/update requests and the crm.activity.configurable.get response. */
export const SEED_LAYOUTS = {
  structureExample: {
    icon: {
      code: 'call-completed',
    },
    header: {
      title: 'Incoming Call',
      tags: {
        status2: {
          type: 'warning',
          title: 'not deciphered',
        },
      },
    },
    body: {
      logo: {
        code: 'call-incoming',
        action: {
          type: 'redirect',
          uri: '/crm/deal/details/123/',
        },
      },
      blocks: {
        client: {
          type: 'withTitle',
          properties: {
            title: 'Client',
            inline: true,
            block: {
              type: 'text',
              properties: {
                value: 'Ltd. Horns and Hooves',
              },
            },
          },
        },
        responsible: {
          type: 'lineOfBlocks',
          properties: {
            blocks: {
              client: {
                type: 'link',
                properties: {
                  text: 'Sergey Vostrikov',
                  bold: true,
                  action: {
                    type: 'redirect',
                    uri: '/crm/lead/details/789/',
                  },
                },
              },
              phone: {
                type: 'text',
                properties: {
                  value: '+1 999 888 7777',
                },
              },
            },
          },
        },
      },
    },
    footer: {
      buttons: {
        startCall: {
          title: 'About the Client',
          action: {
            type: 'openRestApp',
            actionParams: {
              clientId: 456,
            },
          },
          type: 'primary',
        },
      },
      menu: {
        showPostponeItem: 'false',
        items: {
          confirm: {
            title: 'Confirm Request',
            action: {
              type: 'restEvent',
              id: 'confirm',
              animationType: 'loader',
            },
          },
          decline: {
            title: 'Decline Request',
            action: {
              type: 'restEvent',
              id: 'decline',
              animationType: 'loader',
            },
          },
        },
      },
    },
  },
  contentBlockText: {
    icon: {
      code: 'info',
    },
    header: {
      title: 'Information Message',
    },
    body: {
      logo: {
        code: 'notification',
      },
      blocks: {
        text: {
          type: 'text',
          properties: {
            value:
              'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.',
          },
        },
      },
    },
  },
  contentBlockLargeText: {
    icon: {
      code: 'info',
    },
    header: {
      title: 'Information Message',
    },
    body: {
      logo: {
        code: 'notification',
      },
      blocks: {
        text: {
          type: 'largeText',
          properties: {
            value:
              'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.',
          },
        },
      },
    },
  },
  examplesText: {
    icon: {
      code: 'info',
    },
    header: {
      title: 'Information Message',
    },
    body: {
      logo: {
        code: 'notification',
      },
      blocks: {
        text: {
          type: 'text',
          properties: {
            value:
              'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.',
          },
        },
      },
    },
  },
  examplesLongText: {
    icon: {
      code: 'info',
    },
    header: {
      title: 'Information Message',
    },
    body: {
      logo: {
        code: 'notification',
      },
      blocks: {
        text: {
          type: 'largeText',
          properties: {
            value:
              'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.',
          },
        },
      },
    },
  },
  examplesFields: {
    icon: {
      code: 'info',
    },
    header: {
      title: 'Information Message',
    },
    body: {
      logo: {
        code: 'document',
      },
      blocks: {
        deadline: {
          type: 'withTitle',
          properties: {
            title: 'Deadline',
            inline: true,
            block: {
              type: 'deadline',
            },
          },
        },
        client: {
          type: 'withTitle',
          properties: {
            title: 'Client',
            inline: true,
            block: {
              type: 'text',
              properties: {
                value: 'Ltd. Horns and Hooves',
              },
            },
          },
        },
        manager: {
          type: 'withTitle',
          properties: {
            title: 'Manager',
            inline: true,
            block: {
              type: 'link',
              properties: {
                text: 'Sergey Vostrikov',
                bold: true,
                action: {
                  type: 'redirect',
                  uri: '/company/personal/user/1/',
                },
              },
            },
          },
        },
        description: {
          type: 'withTitle',
          properties: {
            title: 'Additional Information in Large Volume',
            inline: false,
            block: {
              type: 'text',
              properties: {
                multiline: true,
                value:
                  'Arrive no earlier than noon. Entrance from the yard, gate password 555. Go up to the 5th floor, ask for Ivan Nikolaevich. Payment in cash, change from $5000.',
              },
            },
          },
        },
      },
    },
  },
  examplesActionTypes: {
    icon: {
      code: 'document',
    },
    header: {
      title: 'Example of Different Action Types',
      tags: {
        tag1: {
          type: 'warning',
          title: 'Open Application',
          action: {
            type: 'openRestApp',
            actionParams: {
              myId: 123,
            },
          },
        },
        tag2: {
          type: 'primary',
          title: 'Open Application',
          action: {
            type: 'openRestApp',
            actionParams: {
              someImportant: 'qwerty',
            },
          },
        },
      },
    },
    body: {
      logo: {
        code: 'document',
      },
      blocks: {
        link1: {
          type: 'link',
          properties: {
            text: 'Open Internal Link',
            action: {
              type: 'redirect',
              uri: '/crm/deal/details/1/',
            },
          },
        },
        link2: {
          type: 'link',
          properties: {
            text: 'Open External Link',
            action: {
              type: 'redirect',
              uri: 'https://bitrix24.com',
            },
          },
        },
      },
    },
    footer: {
      buttons: {
        button1: {
          title: 'REST Event',
          action: {
            type: 'restEvent',
            id: 'confirm',
            animationType: 'loader',
            actionParams: {
              blockId: 'time',
            },
          },
          type: 'primary',
        },
        button2: {
          title: 'REST Event',
          action: {
            type: 'restEvent',
            id: 'confirm',
            animationType: 'disable',
            actionParams: {
              blockId: 'time',
            },
          },
          type: 'primary',
        },
      },
    },
  },
  examplesMultilingual: {
    icon: {
      code: 'info',
    },
    header: {
      title: {
        de: 'Information',
        en: 'Information',
      },
      tags: {
        tag: {
          type: 'warning',
          title: {
            de: 'Achtung',
            en: 'Warning',
          },
        },
      },
    },
    body: {
      logo: {
        code: 'notification',
      },
      blocks: {
        text: {
          type: 'text',
          properties: {
            value: {
              de: 'Dieser Text wird in verschiedenen Sprachen unterschiedlich angezeigt',
              en: 'A text',
            },
          },
        },
      },
    },
    footer: {
      buttons: {
        button1: {
          title: {
            de: 'Drück mich',
            en: 'Push me',
          },
          type: 'primary',
          action: {
            type: 'redirect',
            uri: 'https://bitrix24.com',
          },
        },
      },
    },
  },
  configurableAdd: {
    icon: {
      code: 'call-completed',
    },
    header: {
      title: 'Incoming Call',
    },
    body: {
      logo: {
        code: 'call-incoming',
      },
      blocks: {
        responsible: {
          type: 'lineOfBlocks',
          properties: {
            blocks: {
              client: {
                type: 'link',
                properties: {
                  text: 'John Doe',
                  bold: true,
                  action: {
                    type: 'redirect',
                    uri: '/crm/lead/details/789/',
                  },
                },
              },
              phone: {
                type: 'text',
                properties: {
                  value: '+1 999 888 7777',
                },
              },
            },
          },
        },
      },
    },
    footer: {
      buttons: {
        startCall: {
          title: 'About Client',
          action: {
            type: 'openRestApp',
            actionParams: {
              clientId: 456,
            },
          },
          type: 'primary',
        },
      },
    },
  },
  configurableUpdate: {
    icon: {
      code: 'call-completed',
    },
    header: {
      title: 'Incoming Call',
    },
    body: {
      logo: {
        code: 'call-incoming',
      },
      blocks: {
        responsible: {
          type: 'lineOfBlocks',
          properties: {
            blocks: {
              client: {
                type: 'link',
                properties: {
                  text: 'John Smith',
                  bold: true,
                  action: {
                    type: 'redirect',
                    uri: '/crm/lead/details/789/',
                  },
                },
              },
              phone: {
                type: 'text',
                properties: {
                  value: '+1 999 888 7777',
                },
              },
            },
          },
        },
      },
    },
    footer: {
      buttons: {
        startCall: {
          title: 'About Client',
          action: {
            type: 'openRestApp',
            actionParams: {
              clientId: 456,
            },
          },
          type: 'primary',
        },
      },
    },
  },
  configurableGetResponse: {
    icon: {
      code: 'call-completed',
    },
    header: {
      title: 'Incoming Call',
      tags: {
        status2: {
          title: 'not transcribed',
          type: 'warning',
        },
      },
    },
    body: {
      logo: {
        code: 'call-incoming',
        action: {
          type: 'redirect',
          uri: '/crm/deal/details/123/',
        },
      },
      blocks: {
        client: {
          type: 'withTitle',
          properties: {
            title: 'Client',
            inline: true,
            block: {
              type: 'text',
              properties: {
                value: 'Ltd. Hoofs and Horns',
              },
            },
          },
        },
        responsible: {
          type: 'lineOfBlocks',
          properties: {
            blocks: {
              client: {
                type: 'link',
                properties: {
                  text: 'Sergey Vostrikov',
                  bold: true,
                  action: {
                    type: 'redirect',
                    uri: '/crm/lead/details/789/',
                  },
                },
              },
              phone: {
                type: 'text',
                properties: {
                  value: '+1 999 888 7777',
                },
              },
            },
          },
        },
      },
    },
    footer: {
      buttons: {
        startCall: {
          title: 'About Client',
          type: 'primary',
          action: {
            type: 'openRestApp',
            actionParams: {
              clientId: '456',
            },
          },
        },
      },
      menu: {
        showPostponeItem: false,
        items: {
          confirm: {
            title: 'Confirm Request',
            action: {
              type: 'restEvent',
              id: 'confirm',
              animationType: 'loader',
            },
          },
          decline: {
            title: 'Decline Request',
            action: {
              type: 'restEvent',
              id: 'decline',
              animationType: 'loader',
            },
          },
        },
      },
    },
  },
};

/** Icon page: `{"icon": {...}}`. */
export const SEED_ICON = {
  icon: {
    code: 'call-completed',
  },
};

/** Record Header page: a `"header": {...},` fragment, wrapped in braces. */
export const SEED_HEADER = {
  header: {
    title: 'Incoming Call',
    titleAction: {
      type: 'redirect',
      uri: 'some.url',
    },
    tags: {
      status2: {
        type: 'warning',
        title: 'not deciphered',
      },
    },
  },
};

/** Main Content Area page, "Example Object (without content blocks)" (trailing comma removed): `blocks` is empty. */
export const SEED_BODY_WITHOUT_BLOCKS = {
  body: {
    logo: {
      code: 'call-incoming',
      action: {
        type: 'redirect',
        uri: '/crm/deal/details/123/',
      },
    },
    blocks: {},
  },
};

/** Standalone content-block examples (link, the two withTitle, lineOfBlocks, deadline). */
export const SEED_CONTENT_BLOCKS = {
  link: {
    type: 'link',
    properties: {
      text: 'Open Deal',
      action: {
        type: 'redirect',
        uri: '/crm/deal/details/123/',
      },
      bold: true,
    },
  },
  withTitle: {
    type: 'withTitle',
    properties: {
      title: 'Title',
      block: {
        type: 'text',
        properties: {
          value: 'Some value',
        },
      },
    },
  },
  withTitleInline: {
    type: 'withTitle',
    properties: {
      title: 'Title 2',
      block: {
        type: 'link',
        properties: {
          text: 'Open Deal',
          action: {
            type: 'redirect',
            uri: '/crm/deal/details/123/',
          },
        },
      },
      inline: true,
    },
  },
  lineOfBlocks: {
    type: 'lineOfBlocks',
    properties: {
      blocks: {
        text: {
          type: 'text',
          properties: {
            value: 'Some text',
          },
        },
        link: {
          type: 'link',
          properties: {
            text: 'link',
            action: {
              type: 'redirect',
              uri: '/crm/deal/details/123/',
            },
          },
        },
        boldText: {
          type: 'text',
          properties: {
            value: 'bold text',
            bold: true,
          },
        },
      },
    },
  },
  deadline: {
    type: 'deadline',
    properties: {
      readonly: false,
    },
  },
};

/** Bottom Part page, FooterButtonDto example. */
export const SEED_FOOTER_BUTTON = {
  title: 'Open deal',
  type: 'primary',
  action: {
    type: 'redirect',
    uri: '/crm/deal/details/123/',
  },
  scope: 'web',
  hideIfReadonly: true,
};

/** Bottom Part page, FooterMenuDto example (booleans given as the strings "false"). */
export const SEED_FOOTER_MENU = {
  showPostponeItem: 'false',
  showDeleteItem: 'false',
  items: {
    confirm: {
      title: 'Confirm request',
      action: {
        type: 'restEvent',
        id: 'confirm',
        animationType: 'loader',
      },
    },
    decline: {
      title: 'Decline request',
      action: {
        type: 'restEvent',
        id: 'decline',
        animationType: 'loader',
      },
    },
  },
};

/** Bottom Dropdown Menu page, MenuItemDto example. */
export const SEED_MENU_ITEM = {
  title: 'Confirm Process',
  action: {
    type: 'restEvent',
    id: 'confirmProcess',
    animationType: 'loader',
  },
  scope: 'web',
  hideIfReadonly: true,
};

/** Click Reaction page: redirect, restEvent and openRestApp examples. */
export const SEED_ACTIONS = {
  redirect: {
    type: 'redirect',
    uri: '/crm/deal/details/1/',
  },
  restEvent: {
    type: 'restEvent',
    id: 'resetButtonClick',
    actionParams: {
      myId: 123,
      someImportant: 'qwerty',
    },
    animationType: 'disable',
  },
  openRestApp: {
    type: 'openRestApp',
    actionParams: {
      myId: 123,
      someImportant: 'qwerty',
    },
    sliderParams: {
      title: 'This is the application slider title',
      width: 700,
    },
  },
};

/** Field Types page, textWithTranslation example. */
export const SEED_TRANSLATION = {
  de: 'Speichern',
  en: 'Save',
};

/** Activity `fields`: add and update requests (the "**put_current_date_time_here**" placeholder replaced by the get example's date) and the get response. NB the update example sets isIncomingChannel "Y" together with a deadline. */
export const SEED_FIELDS = {
  configurableAdd: {
    typeId: 'CONFIGURABLE',
    completed: true,
    deadline: '2025-02-01T01:00:00+03:00',
    pingOffsets: [60, 300],
    isIncomingChannel: 'N',
    responsibleId: 1,
    badgeCode: 'CUSTOM',
  },
  configurableUpdate: {
    typeId: 'CONFIGURABLE',
    completed: false,
    deadline: '2025-02-01T01:00:00+03:00',
    pingOffsets: [300],
    isIncomingChannel: 'Y',
    responsibleId: 5,
    badgeCode: 'CUSTOM',
  },
  configurableGetResponse: {
    typeId: 'CONFIGURABLE',
    completed: false,
    deadline: '2025-02-01T01:00:00+03:00',
    pingOffsets: [],
    isIncomingChannel: false,
    responsibleId: 1,
    badgeCode: '',
    originatorId: null,
    originId: null,
  },
};

/** Badges: crm.activity.badge.add request (without `auth`) and a badge built around the translation example of the badges page (`{"de":"Achtung","en":"Alarm"}`). */
export const SEED_BADGES = {
  badgeAdd: {
    code: 'missedCall',
    title: 'Call Status',
    value: 'Missed',
    type: 'failure',
  },
  translatedTitle: {
    code: 'alarm',
    title: { de: 'Achtung', en: 'Alarm' },
    value: { de: 'Achtung', en: 'Alarm' },
    type: 'warning',
  },
};

// Test payloads built on the examples above (not verbatim): what the emulator's integration tests send.

/** An approval-like layout: two footer buttons (restEvent with actionParams, then disable), a menu item without animation, every block type and translated texts. */
export function sampleApprovalLayout(o: { approveAnimation?: 'loader' | 'disable'; tag?: string } = {}) {
  return {
    icon: { code: 'circle-check' },
    header: {
      title: { en: 'Approval request', de: 'Genehmigungsanfrage' },
      tags: { state: { type: o.tag ?? 'warning', title: { en: 'Pending', de: 'Ausstehend' } } },
    },
    body: {
      logo: { code: 'list-check' },
      blocks: {
        summary: { type: 'text', properties: { value: 'Please approve the discount of 15%.', bold: true } },
        details: { type: 'largeText', properties: { value: 'Line one\nLine two\n'.repeat(30) } },
        link: {
          type: 'link',
          properties: { text: 'Open deal', action: { type: 'redirect', uri: '/crm/deal/details/1/' } },
        },
        who: {
          type: 'withTitle',
          properties: { title: 'Requested by', block: { type: 'text', properties: { value: 'Maria' } }, inline: true },
        },
        line: {
          type: 'lineOfBlocks',
          properties: {
            blocks: {
              a: { type: 'text', properties: { value: 'Amount:' } },
              b: { type: 'text', properties: { value: '1 500 EUR', bold: true } },
            },
          },
        },
        deadline: { type: 'deadline', properties: { readonly: true } },
      },
    },
    footer: {
      buttons: {
        approve: {
          title: { en: 'Approve', de: 'Genehmigen' },
          type: 'primary',
          action: {
            type: 'restEvent',
            id: 'approve',
            animationType: o.approveAnimation ?? 'loader',
            actionParams: { approvalId: 42, blockId: 'time' },
          },
        },
        reject: {
          title: { en: 'Reject', de: 'Ablehnen' },
          type: 'secondary',
          action: { type: 'restEvent', id: 'reject', animationType: 'disable' },
        },
      },
      menu: {
        showPostponeItem: false,
        items: { note: { title: 'Add note', action: { type: 'restEvent', id: 'note' } } },
      },
    },
  };
}

/** crm.activity.configurable.add fields like the add example, completed false, with a repeated ping offset, the "N" flag string and both origins. */
export const SAMPLE_ADD_FIELDS = {
  typeId: 'CONFIGURABLE',
  completed: false,
  deadline: '2025-02-01T01:00:00+03:00',
  pingOffsets: [60, 300, 60],
  isIncomingChannel: 'N',
  responsibleId: 1,
  originatorId: 'my-sys',
  originId: 'ext-42',
};

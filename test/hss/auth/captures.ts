// AIA E-UTRAN vectors extracted from public captures (see /work/shared/pcaps-public/INDEX.md) with
//   tshark -r <file> -Y 'diameter.cmd.code==318 && diameter.flags.request==0' -T fields \
//     -e frame.number -e diameter.RAND -e diameter.XRES -e diameter.AUTN -e diameter.KASME
// and the AIR's Visited-PLMN-Id / Re-Synchronization-Info (flags.request==1).

/** open5gs-testattach.pcapng: K 465b5ce8b199b49faa5f0a2ee238a6bc, OPc e8ed289deba952e4283b54e88e6183ca, PLMN 09f107. */
export const OPEN5GS = {
  k: '465b5ce8b199b49faa5f0a2ee238a6bc',
  opc: 'e8ed289deba952e4283b54e88e6183ca',
  visitedPlmnId: '09f107',
  /** AIR frame 179: RAND (of AIA frame 176) || AUTS; answered by AIA frame 180. */
  resync: { frame: 179, randAuts: '646b548bb9720e9ebf174936a49ab7521120ee2a37e7ded26ad875592810', answeredBy: 180 },
  vectors: [
    [45, '2b6af03df2dddd1292f73931cc138552', '30b32a4f09a54ac4', 'c10b4fcdde3180004a3e9d91fd62d73d', '9133f066debc194ee48d439bc7af87d1e9738110a0c07e5e1651caf5c1fafd73'],
    [124, 'e4e71b449d7049e35fc5d5de3afab36e', '922d8c167ca68fa0', '163018085b2280004d3a2056280f8b67', '742df521e0ffdf38c0f9fce0e41123151a24a98406ecef4e2dda9e826645f58d'],
    [176, '646b548bb9720e9ebf174936a49ab752', '578cc435e9f334a0', '2d0dd386ae8e80003ed6d548ade8ac28', 'a8c8070d7401cce4f12d5393ab88977ca66ab0c97e6091a1b3064732169dbbdb'],
    [180, '94d7cf2b99437020a9381ba2f6de6b7b', '80214f7b0fad28c4', '32050918c855800060b003eecb72ea34', '1127e5c1b67699eb2391e2c714c84c7c73efc5d11f07d057cd137dc597f50b1e'],
    [190, '822e9d8b5ebd07cbbabb0381ea406976', '42ad15f48247df25', '1749a9543bac800053cdac0e8e2f3024', '45ec0f0df6f67c7413e9dbd702e54540d30b1a2735c5d6282d8b6d9c414ab4f1'],
    [264, 'af78971ebf6b73b6a9ed49389e83669e', '35ec2fb0307cde33', '86acf6ac34e68000bd6ed85a43e09620', '31ab1165c784f29ca2eddb079a01b9c0d16385f75702ae895057089f34e8d9e8'],
    [305, '5716bf3767f1558c7ddd9b25422f1a28', 'eb8c2a12152d1baa', '076c31ec1b948000f255457bc410db78', '71b9564365d78655bbadc1ce1c5d17987ed216487c8e4b779c0f3cad92af7daa'],
    [355, 'af0b5171a01c94ca7423c6e86b53691f', '75e41349aabb8439', '802b42a6455b8000c2cd4ce0a0f24b63', 'c30a5ed7ccc660a31c35714cb2bfc1f1161b352c022d3b2d34e0842e61554764'],
    [395, '2d815d02a74bce320b7d4b50e74f026d', '3b90a321c9489406', 'fc1fb550c86b8000f079da7063415f15', 'b1f70100ee6a65df77620ecf2bdce1fe828929a6655b90826c8ad338ec31a327'],
    [428, '3b39fda52413dadb118d0bfeff9de1d1', '63f8ebe6762d76cc', '2e2aba9c9b8980006eaa57d7424c117b', '9c644592da86b527f800dad39905227a38f3efc1064f2eb4c504ce83d5f52761'],
    [475, '18b2cfe20bdd2e474af34d7f0f21dd35', '04253c607b808179', 'e037cf4ebeca80005bd405469041ccf9', 'f375da774a2f76a82a2a68a367a6376fcf3baf46f81f07367791e26ec95859cf'],
    [508, 'c825c44db3b8b0e72ced6b59e5e05e7e', '1371a117e767e025', '2c9e6ab03611800046c9a674aee84604', 'a77da4aefe38f38658eb81a659d89969eb64f7016e7919cfd791404e04f5b0bc'],
  ],
} as const;

/** pyhss-resync.pcap: K 465b5ce8b199b49faa5f0a2ee238a6bc, OP ba10ab971166f9b28b8b73ae5df1baca, PLMN 12f410. */
export const PYHSS = {
  k: '465b5ce8b199b49faa5f0a2ee238a6bc',
  op: 'ba10ab971166f9b28b8b73ae5df1baca',
  visitedPlmnId: '12f410',
  /** AIR frame 3: RAND (of AIA frame 2) || AUTS; answered by AIA frame 4. */
  resync: { frame: 3, randAuts: '1764d7bc135c8f72cbb039bd58b66bbd46af726351ae673f149a4f618c54', answeredBy: 4 },
  vectors: [
    [2, '1764d7bc135c8f72cbb039bd58b66bbd', '26bc8818b18b8516', 'a231b845dc5d8000297edc91b7f5e02b', 'a686df52f4a9ff29c2c26d47ece07ee3b14234fe2908409d8b67f099e5eb4529'],
    [4, '5b88d18a6fa7523f40efb30457ac2c63', 'ded2f4dbc32b090b', 'e3bfc1fd2cdd8000022c5085b0a78f56', '5db564e0e83ff86fb8fcf7759a90991413f43d3f5b741404e2533937d4bc9ce8'],
    [6, '5b88d18a6fa7523f40efb30457ac2c63', 'ded2f4dbc32b090b', 'e3bfc1fd2cfd8000336c853a940724e0', '81cab8874a18a8b95423f5ccb7c93002510d8bb134be0c032530f6c9b8efb50a'],
    [8, '5b88d18a6fa7523f40efb30457ac2c63', 'ded2f4dbc32b090b', 'e3bfc1fd2c9d800061fb04aebdbe3db1', '5e865c3bc116b0fa3233dd8526e718dabd011241997c4626e2f8b62d00fb096f'],
    [10, '5b88d18a6fa7523f40efb30457ac2c63', 'ded2f4dbc32b090b', 'e3bfc1fd2cbd8000a09cd0f5e82a1ef4', 'bc56a754db119114b2e155f10fe67c58d855f3e7cfa52ada717506a96faa27a2'],
  ],
} as const;
